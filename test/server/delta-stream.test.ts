import t from 'tap';
import { createResource } from '../../cache/resource.js';
import { TypeUrl } from '../../cache/types.js';
import { connect, eventually, startServer } from '../support/xds-harness.js';

const enc = (s: string) => new TextEncoder().encode(s);
const res = (name: string, content = name) => createResource({ typeUrl: TypeUrl.Endpoint, name, bytes: enc(content) });

t.test('initial_resource_versions: nothing the client already has is resent', async (t) => {
  const { address, watcher } = await startServer(t);
  const a = res('a');
  const b = res('b');
  watcher.set(TypeUrl.Endpoint, 's1', [a, b]);
  const c = connect(t, address, { delta: true });
  c.subscribe(TypeUrl.Endpoint, ['a', 'b'], { initialResourceVersions: { a: a.version, b: 'stale-version' } });
  const r = await c.next();
  t.same(r.resources.map((x) => [x.name, x.version]), [['b', b.version]]);
  t.same(r.removedResources, []);
  t.same(watcher.subs[0]?.returned, { a: a.version, b: 'stale-version' });
});

t.test('removed_resources when a subscribed resource goes away', async (t) => {
  const { address, watcher } = await startServer(t);
  watcher.set(TypeUrl.Endpoint, 's1', [res('a'), res('b')]);
  const c = connect(t, address, { delta: true });
  c.subscribe(TypeUrl.Endpoint, ['a', 'b']);
  const r1 = await c.next();
  t.same(r1.resources.map((x) => x.name).sort(), ['a', 'b']);
  c.ack(r1);
  await eventually(() => watcher.pending(TypeUrl.Endpoint) === 1);
  watcher.set(TypeUrl.Endpoint, 's2', [res('a')]);
  const r2 = await c.next();
  t.same(r2.resources, []);
  t.same(r2.removedResources, ['b']);
  t.equal(r2.versionInfo, 's2', 'system_version_info');
  t.ok(Number(r2.nonce) > Number(r1.nonce));
});

t.test('a subscription change is honoured even with a stale nonce', async (t) => {
  const { address, watcher } = await startServer(t);
  watcher.set(TypeUrl.Endpoint, 's1', [res('a'), res('c')]);
  const c = connect(t, address, { delta: true });
  c.subscribe(TypeUrl.Endpoint, ['a']);
  const r1 = await c.next();
  t.same(r1.resources.map((x) => x.name), ['a']);
  c.send({ typeUrl: TypeUrl.Endpoint, resourceNamesSubscribe: ['c'], responseNonce: 'an-old-nonce' });
  const r2 = await c.next();
  t.same(r2.resources.map((x) => x.name), ['c']);
  t.same(watcher.subs.at(-1)?.names, ['a', 'c']);
  c.unsubscribe(TypeUrl.Endpoint, ['a']);
  await eventually(() => watcher.subs.length === 3);
  t.same(watcher.subs.at(-1)?.names, ['c']);
  t.notOk('a' in (watcher.subs.at(-1)?.returned ?? {}), 'the client forgot a');
});

t.test('the first wildcard request is answered even when there is nothing', async (t) => {
  const { address, watcher } = await startServer(t, { legacyWildcard: false });
  watcher.set(TypeUrl.Cluster, 's0', []);
  watcher.set(TypeUrl.Endpoint, 's0', []);
  const c = connect(t, address, { delta: true });
  c.subscribe(TypeUrl.Cluster, ['*']);
  const r = await c.next();
  t.equal(r.typeUrl, TypeUrl.Cluster);
  t.same(r.resources, []);
  t.equal(watcher.requests[0]?.respondIfUnchanged, true);
  c.ack(r);
  c.subscribe(TypeUrl.Endpoint, ['missing']);
  t.equal(await c.nextWithin(300), undefined, 'a named subscription to nothing gets no empty reply');
});

t.test('delta NACK is recorded and the rejected resource is not resent', async (t) => {
  const { address, watcher } = await startServer(t);
  watcher.set(TypeUrl.Endpoint, 's1', [res('a')]);
  const c = connect(t, address, { delta: true });
  c.subscribe(TypeUrl.Endpoint, ['a']);
  const r1 = await c.next();
  c.nack(r1, 'endpoint a rejected');
  t.equal(await c.nextWithin(300), undefined);
  const nack = watcher.progress.find((p) => p.event === 'nack');
  t.equal(nack?.progress.error, 'endpoint a rejected');
  t.equal(nack?.progress.version, 's1');
  watcher.set(TypeUrl.Endpoint, 's2', [res('a', 'a-fixed')]);
  const r2 = await c.next();
  t.same(r2.resources.map((x) => x.name), ['a']);
  t.equal(r2.versionInfo, 's2');
});

t.test('per-type delta service', async (t) => {
  const { address, watcher } = await startServer(t);
  watcher.set(TypeUrl.Endpoint, 's1', [res('a')]);
  const c = connect(t, address, { delta: true, service: TypeUrl.Endpoint });
  c.send({ resourceNamesSubscribe: ['a'] });
  const r = await c.next();
  t.equal(r.typeUrl, TypeUrl.Endpoint);
  t.same(r.resources.map((x) => x.name), ['a']);
});
