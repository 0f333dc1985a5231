import t from 'tap';
import { createLinearCache, createMuxCache, createSnapshot, createSnapshotCache, sotwDecisions } from '../../../cache/index.js';
import { createResource, type Resource } from '../../../cache/resource.js';
import { TypeUrl } from '../../../cache/types.js';
import { envelopeCounter } from '../../../server/codec/discovery.js';
import { xdsRoot } from '../../../server/codec/protos.js';
import type { AdsClient } from '../../../server/transport/ads-client.js';
import { connect, eventually, startServer } from '../../support/xds-harness.js';

const root = xdsRoot();
const Cluster = root.lookupType('envoy.config.cluster.v3.Cluster');
const Listener = root.lookupType('envoy.config.listener.v3.Listener');
const Route = root.lookupType('envoy.config.route.v3.RouteConfiguration');
const Cla = root.lookupType('envoy.config.endpoint.v3.ClusterLoadAssignment');

const cluster = (name: string, timeout = 1) =>
  createResource({ typeUrl: TypeUrl.Cluster, name, bytes: Cluster.encode(Cluster.fromObject({ name, connectTimeout: { seconds: timeout } })).finish() });
const cla = (name: string, port = 8080) =>
  createResource({
    typeUrl: TypeUrl.Endpoint,
    name,
    bytes: Cla.encode(Cla.fromObject({ clusterName: name, endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.0.0.1', portValue: port } } } }] }] })).finish(),
  });
const listener = (name: string) => createResource({ typeUrl: TypeUrl.Listener, name, bytes: Listener.encode(Listener.fromObject({ name })).finish() });
const route = (name: string) => createResource({ typeUrl: TypeUrl.Route, name, bytes: Route.encode(Route.fromObject({ name })).finish() });

const snapshot = (resources: Resource[]) => {
  const byType: Record<string, Resource[]> = {};
  for (const r of resources) (byType[r.typeUrl] ??= []).push(r);
  return createSnapshot({ resources: byType });
};

t.test('real streams holding the same state are decided once per snapshot (the shared path)', async (t) => {
  const cache = createSnapshotCache({ nodeHash: (n) => n.cluster });
  const { address } = await startServer(t, { watcher: cache });
  cache.setSnapshot('mesh', snapshot([cluster('a'), cluster('b')]));
  const N = 30;
  const clients: AdsClient[] = [];
  for (let i = 0; i < N; i++) clients.push(connect(t, address, { node: { id: `proxy-${i}`, cluster: 'mesh' } }));
  for (const c of clients) c.subscribe(TypeUrl.Cluster, []);
  for (const c of clients) c.ack(await c.next());
  t.ok(await eventually(() => cache.numWatches('mesh') === N), 'every stream is watching');
  const before = { ...sotwDecisions };
  cache.setSnapshot('mesh', snapshot([cluster('a', 2), cluster('b')]));
  await Promise.all(clients.map((c) => c.next()));
  // Before streams kept the cache's map, each stream held a copy and every watch was decided alone.
  t.equal(sotwDecisions.decided - before.decided, 1, 'one stream decided');
  t.equal(sotwDecisions.shared - before.shared, N - 1, 'the others reused its decision');
});

t.test('one DiscoveryResponse body for N streams of nodes sharing a snapshot', async (t) => {
  const cache = createSnapshotCache({ nodeHash: (n) => n.cluster });
  const { address } = await startServer(t, { watcher: cache });
  cache.setSnapshot('mesh', snapshot([cluster('a'), cluster('b')]));
  const N = 50;
  const clients: AdsClient[] = [];
  for (let i = 0; i < N; i++) clients.push(connect(t, address, { node: { id: `proxy-${i}`, cluster: 'mesh' } }));
  for (const c of clients) c.subscribe(TypeUrl.Cluster, []);
  for (const c of clients) c.ack(await c.next());
  t.ok(await eventually(() => cache.numWatches('mesh') === N), 'every stream is watching');
  const before = envelopeCounter.sotwBodies;
  const started = process.hrtime.bigint();
  cache.setSnapshot('mesh', snapshot([cluster('a', 2), cluster('b')]));
  const got = await Promise.all(clients.map((c) => c.next()));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.equal(envelopeCounter.sotwBodies - before, 1, `one body encoding for ${N} streams`);
  t.equal(new Set(got.map((r) => r.versionInfo)).size, 1);
  t.ok(got.every((r) => r.resources.length === 2 && (r.resources[0]?.message?.['connectTimeout'] as { seconds: number }).seconds === 2));
  t.comment(`fan-out of one CDS update to ${N} loopback streams: ${ms.toFixed(1)} ms (informational)`);
});

t.test('ordered ADS and NACK handling with the snapshot cache', async (t) => {
  const cache = createSnapshotCache();
  const { address } = await startServer(t, { watcher: cache });
  cache.setSnapshot('node-1', snapshot([cluster('svc'), cla('svc'), listener('l'), route('r')]));
  const c = connect(t, address);
  const types = [TypeUrl.Cluster, TypeUrl.Endpoint, TypeUrl.Listener, TypeUrl.Route];
  for (const type of types) {
    c.subscribe(type, type === TypeUrl.Cluster || type === TypeUrl.Listener ? [] : [type === TypeUrl.Endpoint ? 'svc' : 'r']);
    c.ack(await c.next());
  }
  t.ok(await eventually(() => cache.numWatches('node-1') === 4));
  cache.setSnapshot('node-1', snapshot([cluster('svc', 5), cla('svc', 9090), listener('l2'), route('r')]));
  // Route 'r' unchanged, so three responses, CDS then EDS then LDS.
  const order = [];
  for (let i = 0; i < 3; i++) order.push(await c.next());
  t.same(order.map((r) => r.typeUrl), [TypeUrl.Cluster, TypeUrl.Endpoint, TypeUrl.Listener]);

  const lds = order[2];
  if (!lds) throw new Error('no LDS response');
  for (const r of order.slice(0, 2)) c.ack(r);
  c.nack(lds, 'listener l2: bad filter chain');
  t.equal(await c.nextWithin(400), undefined, 'the rejected LDS version is not resent');
  const status = cache.nodeStatus('node-1')[0];
  t.match(JSON.stringify(status), /listener l2: bad filter chain/, 'the NACK is in the node status');
  cache.setSnapshot('node-1', snapshot([cluster('svc', 5), cla('svc', 9090), listener('l3'), route('r')]));
  const fixed = await c.next();
  t.equal(fixed.typeUrl, TypeUrl.Listener);
  t.same(fixed.resources.map((r) => r.name), ['l3']);
});

t.test('delta reconnect to a fresh cache with equal content resends nothing', async (t) => {
  const content = () => snapshot([cluster('a'), cluster('b')]);
  const first = createSnapshotCache();
  const one = await startServer(t, { watcher: first });
  first.setSnapshot('node-1', content());
  const c1 = connect(t, one.address, { delta: true });
  c1.subscribe(TypeUrl.Cluster, ['*']);
  const r1 = await c1.next();
  t.same(r1.resources.map((r) => r.name).sort(), ['a', 'b']);
  c1.close();

  // A restarted replica: new cache, same content, so the same content-hash versions.
  const second = createSnapshotCache();
  const two = await startServer(t, { watcher: second });
  second.setSnapshot('node-1', content());
  const c2 = connect(t, two.address, { delta: true });
  c2.subscribe(TypeUrl.Cluster, ['*'], { initialResourceVersions: Object.fromEntries(r1.resources.map((r) => [r.name, r.version])) });
  const r2 = await c2.next();
  t.same(r2.resources, [], 'the first wildcard reply is empty: the client has everything');
  t.same(r2.removedResources, []);
});

t.test('a mux cache without a route for a type: that type is not served, the rest is', async (t) => {
  const eds = createLinearCache(TypeUrl.Endpoint);
  const unserved: string[] = [];
  const mux = createMuxCache({ caches: { [TypeUrl.Endpoint]: eds } });
  const { address } = await startServer(t, { watcher: mux, callbacks: { onUnservedType: (_id, _type, message) => unserved.push(message) } });
  eds.updateResources([cla('svc')], []);
  const c = connect(t, address);
  c.subscribe(TypeUrl.Cluster, []);
  c.subscribe(TypeUrl.Endpoint, ['svc']);
  const r = await c.next();
  t.equal(r.typeUrl, TypeUrl.Endpoint);
  t.same(unserved, [`type URL ${TypeUrl.Cluster} is not served`]);
});
