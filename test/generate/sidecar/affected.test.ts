import t from 'tap';
import { createSidecarConfigSet } from '../../../src/generate/sidecar/index.js';
import { createModelStore, type ModelStore } from '../../../src/model/store.js';
import type { SourceEvent } from '../../../src/model/source-events.js';
import { del, meshConfig, ns, pod, routeGroup, service, slice, split, trafficTarget, up } from '../../model/fixtures/objects.js';

// Which proxies a change regenerates. The property that matters: every proxy
// whose config a change alters is regenerated (nothing stale is served);
// the expectations below also pin that the set stays narrow.

function smiMesh(): ModelStore {
  const store = createModelStore({ meshName: 'fsm' });
  store.apply(up(meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: false } })));
  store.apply(
    up(
      ns('a'),
      ns('b'),
      ns('c'),
      pod('a', 'client-1', { sa: 'client', labels: { app: 'client' }, ip: '10.0.1.1', uuid: 'u-client-1' }),
      pod('a', 'client-2', { sa: 'client', labels: { app: 'client' }, ip: '10.0.1.2', uuid: 'u-client-2' }),
      pod('b', 'server-1', { sa: 'server', labels: { app: 'server', version: 'v1' }, ip: '10.0.2.1', uuid: 'u-server-1' }),
      pod('b', 'server-2', { sa: 'server', labels: { app: 'server', version: 'v2' }, ip: '10.0.2.2', uuid: 'u-server-2' }),
      pod('c', 'other-1', { sa: 'other', labels: { app: 'other' }, ip: '10.0.3.1', uuid: 'u-other-1' }),
      service('b', 'server'),
      service('b', 'server-v1', { app: 'server', version: 'v1' }),
      service('c', 'other'),
      slice('b', 'server', ['10.0.2.1', '10.0.2.2']),
      { ...slice('b', 'server-v1', ['10.0.2.1']), metadata: { name: 'server-v1-abc', namespace: 'b', labels: { 'kubernetes.io/service-name': 'server-v1' } } },
      slice('c', 'other', ['10.0.3.1']),
      routeGroup('b'),
      trafficTarget('b', 'client-to-server', 'server', [{ name: 'client', namespace: 'a' }]),
    ),
  );
  return store;
}

/** Applies events; returns the proxies the set regenerates and those whose config really changed. */
function step(store: ModelStore, set: ReturnType<typeof createSidecarConfigSet>, events: SourceEvent[]) {
  const before = new Map(set.keys().map((k) => [k, set.get(k)?.version]));
  const { changes } = store.apply(events);
  const affected = [...set.affected(changes)].sort();
  const fresh = createSidecarConfigSet({ view: store });
  fresh.recompute();
  const changed = fresh.keys().filter((k) => fresh.get(k)?.version !== before.get(k)).sort();
  set.recompute(affected);
  return { affected, changed };
}

t.test('SMI mode: each change regenerates every proxy it alters, and few others', async (t) => {
  const store = smiMesh();
  const set = createSidecarConfigSet({ view: store });
  set.recompute();
  const check = (label: string, r: { affected: string[]; changed: string[] }, expected: string[]) => {
    t.same(r.changed.filter((k) => !r.affected.includes(k)), [], `${label}: no altered proxy is missed`);
    t.same(r.affected, expected, label);
  };
  check('pod IP change: the pod, its service account peer and the clients of its service',
    step(store, set, up(pod('b', 'server-2', { sa: 'server', labels: { app: 'server', version: 'v2' }, ip: '10.0.2.7', uuid: 'u-server-2' }))),
    ['u-client-1', 'u-client-2', 'u-server-1', 'u-server-2']);
  check('endpoints of a service nobody may call: only its own proxy', step(store, set, up(slice('c', 'other', ['10.0.3.1', '10.0.3.2']))), ['u-other-1']);
  check('traffic target: destination and sources', step(store, set, del(trafficTarget('b', 'client-to-server', 'server', [{ name: 'client', namespace: 'a' }]))),
    ['u-client-1', 'u-client-2', 'u-server-1', 'u-server-2']);
  const mc = step(store, set, up(meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: false }, sidecar: { logLevel: 'debug' } })));
  t.equal(mc.affected.length, 5, 'MeshConfig touches every proxy');
  check('traffic split while no client may reach the apex: its servers only',
    step(store, set, up(split('b', 'server-split', 'server', [['server-v1', 100]]))), ['u-server-1', 'u-server-2']);
  step(store, set, up(trafficTarget('b', 'client-to-server', 'server', [{ name: 'client', namespace: 'a' }])));
  check('traffic split once clients may reach the apex: its clients too',
    step(store, set, up(split('b', 'server-split', 'server', [['server-v1', 50], ['server', 50]]))), ['u-client-1', 'u-client-2', 'u-server-1', 'u-server-2']);
});

t.test('permissive mode: every proxy is a client of every service', async (t) => {
  const store = smiMesh();
  store.apply(up(meshConfig({})));
  const set = createSidecarConfigSet({ view: store });
  set.recompute();
  const r = step(store, set, up(slice('c', 'other', ['10.0.3.1', '10.0.3.2'])));
  t.equal(r.affected.length, 5);
  t.same(r.changed.filter((k) => !r.affected.includes(k)), []);
});
