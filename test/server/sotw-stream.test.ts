import t from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { StatusCode } from '../../server/errors.js';
import { connect, eventually, startServer } from '../support/xds-harness.js';

const UNKNOWN = 'type.googleapis.com/example.v1.NotServed';

t.test('nonces increase per stream across types', async (t) => {
  const { address, watcher } = await startServer(t);
  watcher.set(TypeUrl.Cluster, 'c1', [{ name: 'c' }]);
  watcher.set(TypeUrl.Listener, 'l1', [{ name: 'l' }]);
  const c = connect(t, address);
  c.subscribe(TypeUrl.Cluster, []);
  c.subscribe(TypeUrl.Listener, []);
  const nonces: number[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await c.next();
    nonces.push(Number(r.nonce));
    c.ack(r);
  }
  watcher.set(TypeUrl.Listener, 'l2', [{ name: 'l' }]);
  watcher.set(TypeUrl.Cluster, 'c2', [{ name: 'c' }]);
  for (let i = 0; i < 2; i++) nonces.push(Number((await c.next()).nonce));
  t.same(nonces, [...nonces].sort((a, b) => a - b), 'increasing');
  t.equal(new Set(nonces).size, 4, 'unique');
  t.ok(nonces.every((n) => Number.isInteger(n) && n > 0));
});

t.test('a request with a stale nonce is ignored; ACK vs NACK by error_detail', async (t) => {
  const { address, watcher } = await startServer(t);
  watcher.set(TypeUrl.Endpoint, 'v1', [{ name: 'a' }, { name: 'b' }]);
  const c = connect(t, address);
  c.subscribe(TypeUrl.Endpoint, ['a']);
  const r1 = await c.next();
  t.same(r1.resources.map((r) => r.value.length > 0), [true]);
  const before = watcher.requests.length;
  c.send({ typeUrl: TypeUrl.Endpoint, resourceNames: ['a', 'b'], versionInfo: '', responseNonce: 'not-a-nonce-we-sent' });
  t.equal(await c.nextWithin(300), undefined, 'no response to a stale request');
  t.equal(watcher.requests.length, before, 'no watch was created');

  c.ack(r1);
  await eventually(() => watcher.requests.length === before + 1);
  const ack = watcher.progress.filter((p) => p.event === 'ack');
  t.equal(ack.length, 1);
  t.equal(ack[0]?.progress.nonce, r1.nonce);
  t.equal(watcher.requests.at(-1)?.versionInfo, 'v1', 'watch carries the acked version');
  t.equal(watcher.progress.filter((p) => p.event === 'nack').length, 0);
});

t.test('a NACKed version is never resent; the next different version is', async (t) => {
  const { address, watcher } = await startServer(t);
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const c = connect(t, address);
  c.subscribe(TypeUrl.Cluster, []);
  const r1 = await c.next();
  c.ack(r1);
  watcher.set(TypeUrl.Cluster, 'v2', [{ name: 'a' }, { name: 'bad' }]);
  const r2 = await c.next();
  t.equal(r2.versionInfo, 'v2');
  c.nack(r2, 'cluster bad: invalid');
  t.equal(await c.nextWithin(400), undefined, 'the rejected version is not resent');
  const nack = watcher.progress.find((p) => p.event === 'nack');
  t.equal(nack?.progress.error, 'cluster bad: invalid');
  t.equal(nack?.progress.version, 'v1', 'the client reports its last accepted version');
  t.equal(watcher.requests.at(-1)?.versionInfo, 'v2', 're-watched with the rejected version');
  watcher.set(TypeUrl.Cluster, 'v3', [{ name: 'a' }]);
  const r3 = await c.next();
  t.equal(r3.versionInfo, 'v3');
  t.ok(Number(r3.nonce) > Number(r2.nonce));
});

t.test('legacy wildcard on: an empty first request means everything', async (t) => {
  const { address, watcher } = await startServer(t);
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }, { name: 'b' }]);
  const c = connect(t, address);
  c.subscribe(TypeUrl.Cluster, []);
  t.equal((await c.next()).resources.length, 2);
  t.equal(watcher.subs.at(-1)?.wildcard, true);
});

t.test('legacy wildcard off (gRPC clients): an empty request subscribes nothing; "*" is wildcard', async (t) => {
  const { address, watcher } = await startServer(t, { legacyWildcard: false });
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }, { name: 'b' }]);
  const c = connect(t, address);
  c.subscribe(TypeUrl.Cluster, []);
  const r = await c.next();
  t.equal(r.resources.length, 0);
  t.same(watcher.subs.at(-1), { typeUrl: TypeUrl.Cluster, wildcard: false, names: [], returned: {} });
  c.ack(r);
  await eventually(() => watcher.requests.length === 2);
  c.subscribe(TypeUrl.Cluster, ['*']);
  await eventually(() => watcher.requests.length === 3);
  watcher.set(TypeUrl.Cluster, 'v2', [{ name: 'a' }, { name: 'b' }]);
  t.equal((await c.next()).resources.length, 2);
  t.equal(watcher.subs.at(-1)?.wildcard, true);
});

t.test('legacy wildcard disabled for some types only', async (t) => {
  const { address, watcher } = await startServer(t, { legacyWildcard: { disabledTypes: [TypeUrl.Route] } });
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  watcher.set(TypeUrl.Route, 'v1', [{ name: 'r' }]);
  const c = connect(t, address);
  c.subscribe(TypeUrl.Cluster, []);
  c.subscribe(TypeUrl.Route, []);
  await eventually(() => watcher.subs.length === 2);
  t.equal(watcher.subs.find((s) => s.typeUrl === TypeUrl.Cluster)?.wildcard, true);
  t.equal(watcher.subs.find((s) => s.typeUrl === TypeUrl.Route)?.wildcard, false);
});

t.test('ordered ADS: CDS, EDS, LDS, RDS whatever order the cache answers in', async (t) => {
  const { address, watcher } = await startServer(t);
  const order = [TypeUrl.Route, TypeUrl.Listener, TypeUrl.Secret, TypeUrl.Endpoint, TypeUrl.Cluster];
  for (const type of order) watcher.set(type, 'v1', [{ name: 'x' }]);
  const c = connect(t, address);
  // Initial subscriptions one by one in ADS order, so no EDS-after-CDS resend is due.
  for (const type of [...order].reverse()) {
    c.subscribe(type, ['x']);
    c.ack(await c.next());
  }
  await eventually(() => watcher.pending(TypeUrl.Cluster) === 1 && watcher.pending() === order.length);
  for (const type of order) watcher.set(type, 'v2', [{ name: 'x' }]);
  const got: string[] = [];
  for (let i = 0; i < order.length; i++) got.push((await c.next()).typeUrl);
  t.same(got, [TypeUrl.Cluster, TypeUrl.Endpoint, TypeUrl.Listener, TypeUrl.Route, TypeUrl.Secret]);
});

t.test('EDS follows CDS after a reconnect even when EDS is unchanged', async (t) => {
  const { address, watcher } = await startServer(t);
  watcher.set(TypeUrl.Cluster, 'c2', [{ name: 'svc' }]);
  watcher.set(TypeUrl.Endpoint, 'e1', [{ name: 'svc' }]);
  // A reconnecting client that holds c1/e1: EDS is current, so the cache alone would stay silent.
  const c = connect(t, address);
  c.send({ typeUrl: TypeUrl.Endpoint, resourceNames: ['svc'], versionInfo: 'e1' });
  t.equal(await c.nextWithin(300), undefined, 'unchanged EDS is not sent on its own');
  c.send({ typeUrl: TypeUrl.Cluster, resourceNames: [], versionInfo: 'c1' });
  const cds = await c.next();
  t.equal(cds.typeUrl, TypeUrl.Cluster);
  c.ack(cds);
  // The client re-requests EDS for the warming cluster (same version, no new nonce).
  c.send({ typeUrl: TypeUrl.Endpoint, resourceNames: ['svc'], versionInfo: 'e1' });
  const eds = await c.next();
  t.equal(eds.typeUrl, TypeUrl.Endpoint);
  t.equal(eds.versionInfo, 'e1');
  t.equal(watcher.requests.filter((r) => r.respondIfUnchanged).length, 1, 'only the EDS watch after CDS asks for it');
});

t.test('unknown type URL: no response for it, the rest of the stream keeps working', async (t) => {
  const unserved: Array<{ typeUrl: string; message: string }> = [];
  const { address, watcher } = await startServer(t, { callbacks: { onUnservedType: (_id, typeUrl, message) => unserved.push({ typeUrl, message }) } });
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const c = connect(t, address);
  c.subscribe(UNKNOWN, ['x']);
  c.subscribe(TypeUrl.Cluster, []);
  const r = await c.next();
  t.equal(r.typeUrl, TypeUrl.Cluster);
  c.ack(r);
  t.same(unserved, [{ typeUrl: UNKNOWN, message: `type URL ${UNKNOWN} is not served` }]);
  watcher.set(TypeUrl.Cluster, 'v2', [{ name: 'a' }]);
  t.equal((await c.next()).versionInfo, 'v2', 'other types still served');
  t.equal(c.buffered, 0);
});

t.test('the first request must carry a node; later ones reuse it', async (t) => {
  const { address, watcher } = await startServer(t);
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const bad = connect(t, address);
  bad.send({ typeUrl: TypeUrl.Cluster }, { withNode: false });
  const status = await bad.status;
  t.equal(status.code, StatusCode.INVALID_ARGUMENT);
  t.match(status.details, /node/);

  const good = connect(t, address);
  good.subscribe(TypeUrl.Cluster, []);
  good.ack(await good.next());
  await eventually(() => watcher.requests.length === 2);
  t.same(watcher.requests.map((r) => r.node.id), ['node-1', 'node-1']);
  t.same(watcher.opened.map((o) => o.node.id), ['node-1']);
});

t.test('ADS requires a type URL; per-type services fill in their own', async (t) => {
  const { address, watcher } = await startServer(t);
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const ads = connect(t, address);
  ads.send({ resourceNames: [] });
  const status = await ads.status;
  t.equal(status.code, StatusCode.INVALID_ARGUMENT);
  t.match(status.details, /type URL is required/);

  const cds = connect(t, address, { service: TypeUrl.Cluster });
  cds.send({ resourceNames: [] });
  const r = await cds.next();
  t.equal(r.typeUrl, TypeUrl.Cluster);
  t.equal(r.resources.length, 1);

  const wrong = connect(t, address, { service: TypeUrl.Cluster });
  wrong.send({ typeUrl: TypeUrl.Listener });
  t.equal((await wrong.status).code, StatusCode.INVALID_ARGUMENT);
});

t.test('state machine with a fake transport: nonces, type URLs and one response in flight per type', async (t) => {
  const { createSotwStream } = await import('../../server/sotw-stream.js');
  const { xdsRoot } = await import('../../server/codec/protos.js');
  const { createFakeWatcher } = await import('../../server/testing/fake-watcher.js');
  const { joinParts } = await import('../../server/codec/discovery.js');
  const Response = xdsRoot().lookupType('envoy.service.discovery.v3.DiscoveryResponse');
  const watcher = createFakeWatcher();
  const types = [TypeUrl.Cluster, TypeUrl.Endpoint, TypeUrl.Listener, TypeUrl.Route];
  for (const type of types) watcher.set(type, 'v0', [{ name: 'x' }]);
  const received: Array<{ typeUrl: string; nonce: string; versionInfo: string; anyTypes: string[] }> = [];
  const failures: unknown[] = [];
  const stream = createSotwStream({
    streamId: 1,
    typeUrl: '',
    peer: { address: 'fake' },
    watcher,
    transport: {
      wake() {
        for (let b = stream.takeResponse(); b; b = stream.takeResponse()) {
          const m = Response.toObject(Response.decode(joinParts(b))) as { typeUrl: string; nonce: string; versionInfo: string; resources?: Array<{ type_url: string }> };
          received.push({ typeUrl: m.typeUrl, nonce: m.nonce, versionInfo: m.versionInfo, anyTypes: (m.resources ?? []).map((r) => r.type_url) });
        }
      },
      fail: (e) => failures.push(e),
    },
  });
  stream.open();
  const node = { id: 'n', cluster: 'c' };
  for (const type of types) stream.receive({ node, typeUrl: type, resourceNames: ['x'], versionInfo: '', responseNonce: '' });
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const unacked = new Map<string, { nonce: string; versionInfo: string }>();
  let checked = 0;
  for (let step = 0; step < 300; step++) {
    await new Promise((r) => setImmediate(r));
    for (const r of received.splice(0)) {
      t.notOk(unacked.has(r.typeUrl), `at most one response in flight for ${r.typeUrl}`);
      t.ok(r.anyTypes.every((a) => a === r.typeUrl), 'resources match the response type');
      unacked.set(r.typeUrl, r);
      checked++;
    }
    const type = types[rand(types.length)] ?? TypeUrl.Cluster;
    const pending = unacked.get(type);
    if (rand(2) === 0 && pending) {
      unacked.delete(type);
      const nack = rand(5) === 0;
      stream.receive({
        typeUrl: type,
        resourceNames: ['x'],
        versionInfo: nack ? '' : pending.versionInfo,
        responseNonce: pending.nonce,
        ...(nack ? { errorDetail: { code: 3, message: 'no' } } : {}),
      });
    } else {
      watcher.set(type, `v${step}`, [{ name: 'x' }]);
    }
  }
  const sent = watcher.progress.filter((p) => p.event === 'sent').map((p) => Number(p.progress.nonce));
  t.same(sent, sent.map((_, i) => i + 1), 'nonces 1, 2, 3… in send order');
  t.ok(checked > 50, `many responses checked (${checked})`);
  t.same(failures, []);
  stream.close();
  t.equal(watcher.pending(), 0, 'close cancels every watch');
});
