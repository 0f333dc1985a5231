import t from 'tap';
import { TypeUrl, type NodeInfo, type SotwResponse, type DeltaResponse } from '../../../cache/types.js';
import { createXdsServer } from '../../../server/transport/grpc-server.js';
import { createAdsClient, createFakeWatcher } from '../../../server/testing/index.js';
import { clusterLoadAssignment } from '../../../server/resources/cluster-load-assignment.js';
import { edsCluster } from '../../../server/resources/eds-cluster.js';
import { waitFor } from '../../support/wait-for.js';

const node: NodeInfo = { id: 'n', cluster: 'c' };
const sub = (names: string[], returned: Record<string, string> = {}) => ({ wildcard: names.length === 0, names: new Set(names), returned: new Map(Object.entries(returned)) });

t.test('SotW: answers at once when the version differs, else when set changes it; records the requests', async (t) => {
  const w = createFakeWatcher();
  w.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }, { name: 'b' }]);
  const got: SotwResponse[] = [];
  w.createWatch({ node, typeUrl: TypeUrl.Cluster, versionInfo: '' }, sub([]), (r) => got.push(r));
  t.same(got.map((r) => [r.version, r.resources.map((x) => x.name)]), [['v1', ['a', 'b']]], 'a wildcard watch gets every resource');
  t.equal(new TextDecoder().decode(got[0]?.resources[0]?.bytes), 'a@v1', 'named resources get default bytes');
  w.createWatch({ node, typeUrl: TypeUrl.Cluster, versionInfo: 'v1' }, sub(['b']), (r) => got.push(r));
  t.equal(w.pending(TypeUrl.Cluster), 1, 'the same version waits');
  t.equal(w.pending(), 1);
  w.set(TypeUrl.Cluster, 'v2', [{ name: 'b' }]);
  t.same(got.map((r) => r.version), ['v1', 'v2']);
  t.equal(w.pending(), 0);
  t.same(w.requests.map((r) => r.versionInfo), ['', 'v1']);
  t.same(w.subs.map((s) => s.names), [[], ['b']]);
});

t.test('delta: only changed and removed resources; real Resources are served as given', async (t) => {
  const w = createFakeWatcher();
  const cla = clusterLoadAssignment({ clusterName: 'a', endpoints: [{ address: '127.0.0.1', port: 1 }] });
  w.set(TypeUrl.Endpoint, 's1', [cla]);
  const got: DeltaResponse[] = [];
  w.createDeltaWatch({ node, typeUrl: TypeUrl.Endpoint, versionInfo: '' }, sub([], { gone: 'x' }), (r) => got.push(r));
  t.equal(got.length, 1);
  t.equal(got[0]?.resources[0], cla, 'the Resource object itself');
  t.same(got[0]?.removed, ['gone']);
  t.equal(got[0]?.systemVersion, 's1');
  const cancel = w.createDeltaWatch({ node, typeUrl: TypeUrl.Endpoint, versionInfo: '' }, sub([], { a: cla.version }), () => t.fail('cancelled'));
  t.equal(w.pending(TypeUrl.Endpoint), 1, 'nothing changed: the watch waits');
  cancel();
  t.equal(w.pending(), 0, 'cancel drops it');
});

t.test('a type never set is not served: the watch throws UnknownTypeError', async (t) => {
  const w = createFakeWatcher();
  t.throws(() => w.createWatch({ node, typeUrl: TypeUrl.Listener, versionInfo: '' }, sub([]), () => {}), { name: 'UnknownTypeError', typeUrl: TypeUrl.Listener });
});

t.test('behind a real xDS server with the ADS client: streams, progress and an unserved type are recorded', async (t) => {
  const watcher = createFakeWatcher();
  watcher.set(TypeUrl.Cluster, 'v1', [edsCluster({ name: 'a' })]);
  const server = createXdsServer({ watcher });
  const port = await server.listen('127.0.0.1:0');
  t.teardown(() => server.close({ graceMs: 0 }));
  const client = createAdsClient({ address: `127.0.0.1:${port}`, node: { id: 'tester', cluster: 'test' } });
  t.teardown(() => client.close());
  client.subscribe(TypeUrl.Listener, []);
  client.subscribe(TypeUrl.Cluster, []);
  const first = await client.next();
  t.equal(first.typeUrl, TypeUrl.Cluster, 'the unserved type gets nothing; the served one is answered');
  t.same(first.resources.map((r) => r.name), ['a']);
  client.nack(first, 'bad cluster');
  watcher.set(TypeUrl.Cluster, 'v2', [edsCluster({ name: 'a' }), edsCluster({ name: 'b' })]);
  const second = await client.next();
  t.equal(second.versionInfo, 'v2');
  t.same(watcher.opened.map((o) => o.node.id), ['tester']);
  t.ok(watcher.progress.some((p) => p.event === 'nack' && p.progress.error === 'bad cluster'), 'the NACK text reached the watcher');
  client.close();
  await client.status;
  await waitFor('the stream close to reach the watcher', () => watcher.closed.length > 0);
  t.same(watcher.closed.map((c) => c.node.id), ['tester'], 'the close was reported');
});
