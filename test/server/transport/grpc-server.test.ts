import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { TypeUrl, type ConfigWatcher } from '../../../cache/types.js';
import { StatusCode, XdsStatusError } from '../../../server/errors.js';
import type { PeerInfo } from '../../../server/stream-types.js';
import { createXdsServer } from '../../../server/transport/grpc-server.js';
import { createFakeWatcher } from '../../../server/testing/fake-watcher.js';
import { connect, eventually, startServer } from '../../support/xds-harness.js';

t.test('callbacks see open, request, response and close with the node', async (t) => {
  const events: string[] = [];
  let peer: PeerInfo | undefined;
  const { address, watcher } = await startServer(t, {
    callbacks: {
      onStreamOpen: (id, typeUrl, p) => {
        peer = p;
        events.push(`open ${id} '${typeUrl}'`);
      },
      onStreamRequest: (id, req) => events.push(`request ${id} ${req.typeUrl} nonce='${req.responseNonce}'`),
      onStreamResponse: (id, req, res) => events.push(`response ${id} ${res.typeUrl} ${res.versionInfo} nonce=${res.nonce} req=${req?.responseNonce ?? '-'}`),
      onStreamClosed: (id, node) => events.push(`closed ${id} ${node?.id}`),
    },
  });
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const c = connect(t, address);
  c.subscribe(TypeUrl.Cluster, []);
  c.ack(await c.next());
  await eventually(() => events.length === 4);
  c.close();
  await eventually(() => events.length === 5);
  t.same(events, [
    "open 1 ''",
    `request 1 ${TypeUrl.Cluster} nonce=''`,
    `response 1 ${TypeUrl.Cluster} v1 nonce=1 req=`,
    `request 1 ${TypeUrl.Cluster} nonce='1'`,
    'closed 1 node-1',
  ]);
  t.match(peer?.address, /^127\.0\.0\.1:\d+$/);
  t.equal(peer?.certificate, undefined, 'no certificate without TLS');
  t.same(watcher.closed.map((c) => c.streamId), [1], 'the watcher heard about the close');
});

t.test('a callback that throws closes only its stream, with the error code or INTERNAL', async (t) => {
  const { address, watcher } = await startServer(t, {
    callbacks: {
      onStreamRequest: (_id, req) => {
        if (req.node?.id === 'boom') throw new Error('callback failed');
        if (req.node?.id === 'denied') throw Object.assign(new Error('go away'), { code: StatusCode.PERMISSION_DENIED });
      },
    },
  });
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const good = connect(t, address);
  const boom = connect(t, address, { node: { id: 'boom', cluster: 'x' } });
  const denied = connect(t, address, { node: { id: 'denied', cluster: 'x' } });
  good.subscribe(TypeUrl.Cluster, []);
  boom.subscribe(TypeUrl.Cluster, []);
  denied.subscribe(TypeUrl.Cluster, []);
  t.same(await boom.status, { code: StatusCode.INTERNAL, details: 'callback failed' });
  t.same(await denied.status, { code: StatusCode.PERMISSION_DENIED, details: 'go away' });
  const r = await good.next();
  good.ack(r);
  await eventually(() => watcher.pending(TypeUrl.Cluster) === 1);
  watcher.set(TypeUrl.Cluster, 'v2', [{ name: 'a' }]);
  t.equal((await good.next()).versionInfo, 'v2', 'the other stream is unaffected');
});

t.test('maxStreams: streams beyond the limit get RESOURCE_EXHAUSTED; a freed slot is reusable', async (t) => {
  const rejected: string[] = [];
  const { address, watcher, server } = await startServer(t, { limits: { maxStreams: 2 }, callbacks: { onStreamRejected: (_peer, reason) => void rejected.push(reason) } });
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const a = connect(t, address);
  const b = connect(t, address);
  a.subscribe(TypeUrl.Cluster, []);
  b.subscribe(TypeUrl.Cluster, []);
  await a.next();
  await b.next();
  const c = connect(t, address);
  c.subscribe(TypeUrl.Cluster, []);
  const status = await c.status;
  t.equal(status.code, StatusCode.RESOURCE_EXHAUSTED);
  t.match(status.details, /stream limit/);
  t.same(rejected, ['stream limit reached (2)'], 'the rejection is reported to onStreamRejected');
  a.close();
  t.ok(await eventually(() => server.activeStreams === 1));
  const d = connect(t, address);
  d.subscribe(TypeUrl.Cluster, []);
  t.equal((await d.next()).versionInfo, 'v1');
});

t.test('close drains queued responses, then ends streams with UNAVAILABLE and refuses new ones', async (t) => {
  const watcher = createFakeWatcher();
  const server = createXdsServer({ watcher });
  const port = await server.listen('127.0.0.1:0');
  const address = `127.0.0.1:${port}`;
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const c = connect(t, address);
  c.subscribe(TypeUrl.Cluster, []);
  c.ack(await c.next());
  await eventually(() => watcher.pending(TypeUrl.Cluster) === 1);
  // The response to v2 is queued (not yet written) when close starts.
  watcher.set(TypeUrl.Cluster, 'v2', [{ name: 'a' }]);
  const closing = server.close({ graceMs: 3000 });
  const late = connect(t, address);
  late.subscribe(TypeUrl.Cluster, []);
  t.equal((await c.next()).versionInfo, 'v2', 'the queued response was delivered');
  t.same(await c.status, { code: StatusCode.UNAVAILABLE, details: 'server is shutting down' });
  t.not((await late.status).code, StatusCode.OK, 'no new stream after close');
  await closing;
  t.equal(server.activeStreams, 0);
  t.equal(watcher.closed.length, 1, 'watches cancelled and the close reported');
});

t.test('a malformed request ends the stream with INVALID_ARGUMENT', async (t) => {
  const { address } = await startServer(t);
  const c = connect(t, address);
  // version_info (field 1) declared 127 bytes long but only one follows.
  c.sendBytes(Uint8Array.from([0x0a, 0x7f, 0x01]));
  const status = await c.status;
  t.equal(status.code, StatusCode.INVALID_ARGUMENT);
  t.match(status.details, /malformed request/);
});

t.test('authorize: a proxy may subscribe only to its own resources', async (t) => {
  const seen: string[] = [];
  const { address, watcher } = await startServer(t, {
    authorize: ({ node, typeUrl, resourceNames }) => {
      seen.push(`${node.id} ${typeUrl} ${resourceNames.join(',')}`);
      for (const name of resourceNames) {
        if (!name.startsWith(`${node.id}/`)) throw new XdsStatusError(StatusCode.PERMISSION_DENIED, `E5002 ${node.id} may not read ${name}`);
      }
    },
  });
  watcher.set(TypeUrl.Secret, 'v1', [{ name: 'node-1/cert' }, { name: 'other/cert' }]);
  const ok = connect(t, address);
  ok.subscribe(TypeUrl.Secret, ['node-1/cert']);
  t.same((await ok.next()).resources.length, 1);
  const bad = connect(t, address);
  bad.subscribe(TypeUrl.Secret, ['other/cert']);
  t.same(await bad.status, { code: StatusCode.PERMISSION_DENIED, details: 'E5002 node-1 may not read other/cert' });
  t.same(seen, [`node-1 ${TypeUrl.Secret} node-1/cert`, `node-1 ${TypeUrl.Secret} other/cert`]);

  const plain = await startServer(t, { authorize: () => { throw new Error('no'); } });
  plain.watcher.set(TypeUrl.Secret, 'v1', []);
  const denied = connect(t, plain.address);
  denied.subscribe(TypeUrl.Secret, ['x']);
  t.equal((await denied.status).code, StatusCode.PERMISSION_DENIED, 'an error without a code means PERMISSION_DENIED');
});

t.test('addTo registers the services on a caller-owned grpc.Server', async (t) => {
  const watcher = createFakeWatcher();
  watcher.set(TypeUrl.Listener, 'v1', [{ name: 'l' }]);
  const xds = createXdsServer({ watcher });
  const shared = new grpc.Server();
  xds.addTo(shared);
  const port = await new Promise<number>((resolve, reject) =>
    shared.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  t.teardown(() => new Promise<void>((r) => shared.tryShutdown(() => r())));
  const c = connect(t, `127.0.0.1:${port}`, { service: TypeUrl.Listener });
  c.subscribe(TypeUrl.Listener, []);
  t.equal((await c.next()).versionInfo, 'v1');
  await xds.close({ graceMs: 500 });
  t.equal((await c.status).code, StatusCode.UNAVAILABLE, 'close ends our streams on a shared server');
});

t.test('keepalive options are accepted and the server serves with them', async (t) => {
  const { address, watcher } = await startServer(t, {
    keepalive: { timeMs: 10_000, timeoutMs: 2_000, maxConnectionIdleMs: 60_000, permitWithoutCalls: true },
  });
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const c = connect(t, address);
  c.subscribe(TypeUrl.Cluster, []);
  t.equal((await c.next()).versionInfo, 'v1');
});

t.test('the client iterates responses until the stream ends', async (t) => {
  const { address, watcher, server } = await startServer(t);
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const c = connect(t, address);
  c.subscribe(TypeUrl.Cluster, []);
  const versions: string[] = [];
  for await (const r of c) {
    versions.push(r.versionInfo);
    c.ack(r);
    if (r.versionInfo === 'v1') {
      await eventually(() => watcher.pending(TypeUrl.Cluster) === 1);
      watcher.set(TypeUrl.Cluster, 'v2', [{ name: 'a' }]);
    } else {
      void server.close({ graceMs: 500 });
    }
  }
  t.same(versions, ['v1', 'v2']);
  t.equal((await c.status).code, StatusCode.UNAVAILABLE);
});

t.test('every per-type service answers SotW and delta for its own type', async (t) => {
  const { XDS_SERVICES } = await import('../../../server/transport/services.js');
  const { address, watcher } = await startServer(t);
  for (const spec of XDS_SERVICES) {
    if (spec.typeUrl === '') continue;
    watcher.set(spec.typeUrl, 'v1', [{ name: 'x' }]);
    for (const delta of [false, true]) {
      const c = connect(t, address, { service: spec.typeUrl, delta });
      c.send(delta ? { resourceNamesSubscribe: ['x'] } : { resourceNames: ['x'] });
      const r = await c.next();
      t.equal(r.typeUrl, spec.typeUrl, `${spec.service} ${delta ? 'delta' : 'sotw'}`);
      t.equal(r.resources.length, 1);
      c.close();
    }
  }
});

t.test('an open callback that throws refuses that stream only', async (t) => {
  let opens = 0;
  const { address, watcher } = await startServer(t, {
    callbacks: {
      onStreamOpen: () => {
        if (++opens === 1) throw Object.assign(new Error('not now'), { code: StatusCode.UNAVAILABLE });
      },
    },
  });
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const first = connect(t, address);
  first.subscribe(TypeUrl.Cluster, []);
  t.same(await first.status, { code: StatusCode.UNAVAILABLE, details: 'not now' });
  const second = connect(t, address);
  second.subscribe(TypeUrl.Cluster, []);
  t.equal((await second.next()).versionInfo, 'v1');
  t.equal(watcher.opened.length, 1, 'the refused stream never reached the watcher');
});

t.test('a watcher that throws ends only the stream that hit it', async (t) => {
  const fake = createFakeWatcher();
  const faulty: ConfigWatcher = {
    streamOpened(streamId, node) {
      if (node.id === 'open-fails') throw new Error('status store full');
      fake.streamOpened(streamId, node);
    },
    createWatch(req, sub, respond) {
      if (req.node.id === 'watch-fails') throw Object.assign(new Error('cache exploded'), { code: StatusCode.UNAVAILABLE });
      return fake.createWatch(req, sub, respond);
    },
    createDeltaWatch: (req, sub, respond) => fake.createDeltaWatch(req, sub, respond),
    streamClosed: (streamId, node) => fake.streamClosed(streamId, node),
    recordProgress: (node, event, progress) => fake.recordProgress(node, event, progress),
  };
  const { address } = await startServer(t, { watcher: faulty });
  fake.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const a = connect(t, address, { node: { id: 'open-fails', cluster: 'x' } });
  const b = connect(t, address, { node: { id: 'watch-fails', cluster: 'x' } });
  const ok = connect(t, address);
  a.subscribe(TypeUrl.Cluster, []);
  b.subscribe(TypeUrl.Cluster, []);
  ok.subscribe(TypeUrl.Cluster, []);
  t.same(await a.status, { code: StatusCode.INTERNAL, details: 'status store full' });
  t.same(await b.status, { code: StatusCode.UNAVAILABLE, details: 'cache exploded' });
  t.equal((await ok.next()).versionInfo, 'v1');
});
