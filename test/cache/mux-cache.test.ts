import t from 'tap';
import { createLinearCache } from '../../cache/linear-cache.js';
import { createMuxCache } from '../../cache/mux-cache.js';
import { createSnapshot } from '../../cache/snapshot.js';
import { createSnapshotCache } from '../../cache/snapshot-cache.js';
import { TypeUrl, UnknownTypeError, type SotwResponse } from '../../cache/types.js';
import { names, node, recorder, req, res, sub } from './fixtures/helpers.js';

const { Cluster, Endpoint, Listener, Secret } = TypeUrl;

function setup() {
  const snapshots = createSnapshotCache();
  const endpoints = createLinearCache(Endpoint, { initialResources: [res(Endpoint, 'e1')] });
  const mux = createMuxCache({ caches: { [Cluster]: snapshots, [Listener]: snapshots, [Endpoint]: endpoints } });
  snapshots.setSnapshot('n1', createSnapshot({ resources: { [Cluster]: [res(Cluster, 'c1')], [Listener]: [res(Listener, 'l1')] } }));
  return { snapshots, endpoints, mux };
}

t.test('routes by type URL', async (t) => {
  const { mux, endpoints } = setup();
  const n = node('n1');
  const cds = recorder<SotwResponse>();
  const eds = recorder<SotwResponse>();
  const lds = recorder<SotwResponse>();
  mux.createWatch(req(n, Cluster), sub({ wildcard: true }), cds.respond);
  mux.createWatch(req(n, Listener), sub({ wildcard: true }), lds.respond);
  mux.createWatch(req(n, Endpoint), sub({ names: ['e1', 'e2'] }), eds.respond);
  t.same(names(cds.got[0]?.resources ?? []), ['c1']);
  t.same(names(lds.got[0]?.resources ?? []), ['l1']);
  t.same(names(eds.got[0]?.resources ?? []), ['e1']);
  t.equal(eds.got[0]?.version, endpoints.version(), 'EDS came from the linear cache');
  t.equal(mux.caches.length, 2, 'one snapshot cache under two keys counts once');
});

t.test('an unrouted type throws UnknownTypeError naming it and the known keys', async (t) => {
  const { mux } = setup();
  const err = t.throws(() => mux.createWatch(req(node('n1'), Secret), sub({ wildcard: true }), () => {}));
  t.ok(err instanceof UnknownTypeError);
  t.equal((err as UnknownTypeError).typeUrl, Secret);
  t.match((err as Error).message, /Secret.*no cache for key.*known: .*Cluster/);
  t.throws(() => mux.createDeltaWatch(req(node('n1'), Secret), sub({ wildcard: true }), () => {}), UnknownTypeError);
});

t.test('a custom classifier routes by anything in the request', async (t) => {
  const a = createLinearCache(Endpoint, { versionPrefix: 'a-' });
  const b = createLinearCache(Endpoint, { versionPrefix: 'b-' });
  const mux = createMuxCache({ caches: { a, b }, classify: (r) => (r.node.cluster === 'east' ? 'a' : 'b') });
  const east = recorder<SotwResponse>();
  const west = recorder<SotwResponse>();
  mux.createWatch(req(node('x', 'east'), Endpoint), sub({ wildcard: true }), east.respond);
  mux.createWatch(req(node('y', 'west'), Endpoint), sub({ wildcard: true }), west.respond);
  t.equal(east.got[0]?.version, 'a-0');
  t.equal(west.got[0]?.version, 'b-0');
});

t.test('lifecycle hooks reach every distinct sub-cache once', async (t) => {
  const { mux, snapshots } = setup();
  const n = node('n1');
  mux.streamOpened(1, n);
  mux.recordProgress(n, 'sent', { typeUrl: Endpoint, version: '3', nonce: '9' });
  const st = snapshots.nodeStatus('n1')[0];
  t.equal(st?.streams, 1, 'opened once, although the cache is routed under two keys');
  t.equal(st?.types.find((x) => x.typeUrl === Endpoint)?.nonceSent, '9', 'progress of every type lands in the node status');
  mux.streamClosed(1, n);
  t.equal(snapshots.nodeStatus('n1')[0]?.streams, 0);
});
