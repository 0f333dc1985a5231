import t from 'tap';
import { createSnapshot, SnapshotInconsistentError } from '../../cache/snapshot.js';
import { TypeUrl } from '../../cache/types.js';
import { res } from './fixtures/helpers.js';

const { Cluster, Endpoint, Listener, Route, Secret } = TypeUrl;

t.test('type versions are content hashes over (name, version) pairs', async (t) => {
  const a = createSnapshot({ resources: { [Cluster]: [res(Cluster, 'a'), res(Cluster, 'b')] } });
  const reordered = createSnapshot({ resources: { [Cluster]: [res(Cluster, 'b'), res(Cluster, 'a')] } });
  const changed = createSnapshot({ resources: { [Cluster]: [res(Cluster, 'a'), res(Cluster, 'b', 'other')] } });
  const renamed = createSnapshot({ resources: { [Cluster]: [res(Cluster, 'a'), res(Cluster, 'c', 'b')] } });
  t.match(a.version(Cluster), /^[0-9a-f]{16}$/);
  t.equal(a.version(Cluster), reordered.version(Cluster), 'order of the input does not matter');
  t.not(a.version(Cluster), changed.version(Cluster), 'content change changes the version');
  t.not(a.version(Cluster), renamed.version(Cluster), 'a rename changes the version');
});

t.test('explicit versions win; unknown and empty types have the empty-set version', async (t) => {
  const s = createSnapshot({
    resources: { [Cluster]: [res(Cluster, 'a')], [Listener]: [] },
    versions: { [Cluster]: 'v7', [Secret]: 's1' },
  });
  t.equal(s.version(Cluster), 'v7');
  t.equal(s.version(Secret), 's1', 'a version may be given for a type without resources');
  t.equal(s.version(Listener), s.version(Route), 'explicitly empty type equals an absent type');
  t.not(s.version(Listener), '', 'the empty set still has a non-empty version');
  t.equal(s.resources(Route).size, 0);
  t.same([...s.typeUrls()].sort(), [Cluster, Listener].sort());
});

t.test('resources(typeUrl) maps names to the very resource objects given', async (t) => {
  const a = res(Cluster, 'a');
  const s1 = createSnapshot({ resources: { [Cluster]: [a] } });
  const s2 = createSnapshot({ resources: { [Cluster]: [a, res(Cluster, 'b')] } });
  t.equal(s1.resources(Cluster).get('a'), a);
  t.equal(s2.resources(Cluster).get('a'), a, 'snapshots share resources, never copy them');
});

t.test('createSnapshot rejects wrong type URLs and duplicate names, listing every problem', async (t) => {
  t.throws(
    () => createSnapshot({ resources: { [Cluster]: [res(Cluster, 'a'), res(Cluster, 'a', 'x'), res(Listener, 'l')] } }),
    { message: /duplicate .*Cluster resource a.*resource l has type .*Listener/ },
  );
});

t.test('consistency names every missing referenced resource and its referrers', async (t) => {
  const s = createSnapshot({
    resources: {
      [Cluster]: [
        res(Cluster, 'c1', 'c1', [{ typeUrl: Endpoint, name: 'e1' }]),
        res(Cluster, 'c2', 'c2', [{ typeUrl: Endpoint, name: 'e2' }]),
        res(Cluster, 'c3', 'c3', [{ typeUrl: Endpoint, name: 'e2' }]),
      ],
      [Endpoint]: [res(Endpoint, 'e1'), res(Endpoint, 'unreferenced')],
      [Listener]: [res(Listener, 'l1', 'l1', [{ typeUrl: Route, name: 'r1' }])],
    },
  });
  const issues = s.consistencyErrors();
  t.same(
    issues.map((i) => [i.typeUrl, i.name, i.referencedBy.map((r) => r.name)]),
    [
      [Endpoint, 'e2', ['c2', 'c3']],
      [Route, 'r1', ['l1']],
    ],
  );
  t.match(issues[0]?.message, /ClusterLoadAssignment "e2" is missing \(referenced by Cluster "c2", Cluster "c3"\)/);
  const err = t.throws(() => s.checkConsistent());
  t.ok(err instanceof SnapshotInconsistentError);
  t.match((err as Error).message, /2 missing.*"e2".*"r1"/);
});

t.test('extra unreferenced EDS/RDS resources are consistent', async (t) => {
  const s = createSnapshot({
    resources: {
      [Cluster]: [res(Cluster, 'c1', 'c1', [{ typeUrl: Endpoint, name: 'e1' }])],
      [Endpoint]: [res(Endpoint, 'e1'), res(Endpoint, 'e9')],
      [Route]: [res(Route, 'r-extra')],
    },
  });
  t.same(s.consistencyErrors(), []);
  t.doesNotThrow(() => s.checkConsistent());
});
