/**
 * The incremental config set: a change recomputes only proxies whose config
 * read what changed (counted via stats()).
 */
import t from 'tap';
import { createSidecarConfigSet, generateSidecarConfig } from '../../../src/generate/sidecar/index.js';
import type { MeshObject } from '../../../src/model/types.js';
import { fixture, meshConfig, storeOf, UUID } from './fixtures/helpers.js';

const SMI = meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: false } });

t.test('a pod IP change in bookwarehouse recomputes its clients and servers only', (t) => {
  const store = storeOf([...fixture('mesh.yaml'), ...fixture('smi.yaml'), SMI]);
  const set = createSidecarConfigSet({ view: store });
  const first = set.recompute();
  t.equal(first.recomputed, 5);
  t.equal(first.changed.length, 5);
  const before = set.get(UUID.bookbuyer)?.version;
  const pod = store.get<MeshObject>('Pod', 'bookwarehouse', 'bookwarehouse-1');
  if (!pod) throw new Error('fixture pod missing');
  const moved = { ...pod, status: { podIP: '10.244.3.99' } };
  const { changes } = store.apply([{ type: 'upsert', object: moved }]);
  const affected = set.affected(changes);
  // bookstore pods call bookwarehouse (clients); the pod itself serves it; mysql admits bookwarehouse (AllowedEndpoints).
  t.same([...affected].sort(), [UUID.bookstoreV1, UUID.bookstoreV2, UUID.bookwarehouse, UUID.mysql].sort());
  const res = set.recompute(affected);
  t.equal(res.recomputed, 4);
  t.equal(set.stats().recomputations, 9);
  t.ok(res.changed.includes(UUID.bookstoreV1));
  t.equal(set.get(UUID.bookbuyer)?.version, before, 'bookbuyer untouched');
  t.ok(JSON.stringify(set.get(UUID.bookstoreV1)?.config.Outbound).includes('10.244.3.99:14001'));
  t.end();
});

t.test('policy change: a TrafficTarget touches its source and destination identities', (t) => {
  const store = storeOf([...fixture('mesh.yaml'), ...fixture('smi.yaml'), SMI]);
  const set = createSidecarConfigSet({ view: store });
  set.recompute();
  const tt = store.get<MeshObject>('TrafficTarget', 'bookwarehouse', 'bookwarehouse-to-mysql');
  if (!tt) throw new Error('fixture TrafficTarget missing');
  const { changes } = store.apply([{ type: 'delete', object: tt }]);
  const affected = set.affected(changes);
  t.same([...affected].sort(), [UUID.bookwarehouse, UUID.mysql]);
  const res = set.recompute(affected);
  t.same(res.changed, [UUID.bookwarehouse, UUID.mysql]);
  t.same(set.get(UUID.mysql)?.config.AllowedEndpoints, {}, 'mysql now admits nobody');
  t.end();
});

t.test('new and deleted proxies', (t) => {
  const store = storeOf([...fixture('mesh.yaml'), SMI]);
  const set = createSidecarConfigSet({ view: store });
  set.recompute();
  const pod = store.get<MeshObject>('Pod', 'bookbuyer', 'bookbuyer-1');
  if (!pod) throw new Error('fixture pod missing');
  const twin = { ...pod, metadata: { ...pod.metadata, name: 'bookbuyer-2', labels: { ...pod.metadata.labels, 'fsm-proxy-uuid': 'new-uuid' } }, status: { podIP: '10.244.1.11' } };
  const added = store.apply([{ type: 'upsert', object: twin }]);
  const res = set.recompute(set.affected(added.changes));
  t.ok(res.changed.includes('new-uuid'));
  const removed = store.apply([{ type: 'delete', object: twin }]);
  const res2 = set.recompute(set.affected(removed.changes));
  t.same(res2.removed, ['new-uuid']);
  t.notOk(set.keys().includes('new-uuid'));
  t.end();
});

t.test('a batch shares memoised fragments but gives every proxy what generating it alone gives', (t) => {
  // Both bookstore pods run as one identity but back different services: the memo keys must tell them apart.
  for (const mode of [false, true]) {
    const store = storeOf([
      ...fixture('mesh.yaml'), ...fixture('smi.yaml'), ...fixture('policies.yaml'),
      meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: mode }, featureFlags: { enableRetryPolicy: true, enablePluginPolicy: true } }),
    ]);
    const set = createSidecarConfigSet({ view: store });
    t.equal(set.recompute().recomputed, 5);
    for (const proxy of store.proxies()) {
      const alone = generateSidecarConfig(store, proxy);
      const batched = set.get(proxy.uuid);
      t.equal(batched?.json, alone.json, `permissive=${mode} ${proxy.podName} bytes`);
      t.same(batched?.problems, alone.problems, `permissive=${mode} ${proxy.podName} problems`);
      t.same([...(batched?.dependencies ?? [])].sort(), [...alone.dependencies].sort(), `permissive=${mode} ${proxy.podName} dependencies`);
    }
    const rules = (uuid: string) => Object.keys(set.get(uuid)?.config.Inbound?.TrafficMatches['14001']?.HttpServiceRouteRules ?? {}).sort();
    // v1 alone is an IngressBackend backend (the `*` rule set).
    t.same(rules(UUID.bookstoreV1), ['*', 'bookstore-v1.bookstore', 'bookstore.bookstore'], `permissive=${mode}: v1 inbound`);
    t.same(rules(UUID.bookstoreV2), ['bookstore-v2.bookstore', 'bookstore.bookstore'], `permissive=${mode}: v2 does not inherit v1's inbound`);
  }
  t.end();
});

t.test('indexes kept across batches follow the model: a new Service selecting a pod reaches its inbound', (t) => {
  const store = storeOf([...fixture('mesh.yaml'), meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: true } })]);
  const set = createSidecarConfigSet({ view: store });
  set.recompute();
  const inboundRules = () => Object.keys(set.get(UUID.bookbuyer)?.config.Inbound?.TrafficMatches['9090']?.HttpServiceRouteRules ?? {});
  t.same(inboundRules(), []);
  const svc: MeshObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'buyer-admin', namespace: 'bookbuyer' },
    spec: { selector: { app: 'bookbuyer' }, clusterIP: '10.96.9.9', ports: [{ name: 'admin', port: 9090, targetPort: 9090, appProtocol: 'http' }] } };
  const { changes } = store.apply([{ type: 'upsert', object: svc }]);
  const affected = set.affected(changes);
  t.ok(affected.has(UUID.bookbuyer), 'the selected pod is affected');
  set.recompute(affected);
  t.same(inboundRules(), ['buyer-admin.bookbuyer']);
  t.end();
});

t.test('permissive mode: a new Service that selects no pod still reaches every outbound', (t) => {
  const store = storeOf([...fixture('mesh.yaml'), meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: true } })]);
  const set = createSidecarConfigSet({ view: store });
  set.recompute();
  const svc: MeshObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'catalog', namespace: 'bookstore' },
    spec: { selector: { app: 'catalog' }, clusterIP: '10.96.7.7', ports: [{ name: 'http', port: 8080, targetPort: 8080, appProtocol: 'http' }] } };
  const { changes } = store.apply([{ type: 'upsert', object: svc }]);
  const affected = set.affected(changes);
  t.same([...affected].sort(), [...set.keys()].sort(), 'every permissive proxy lists every service');
  set.recompute(affected);
  t.ok(JSON.stringify(set.get(UUID.bookbuyer)?.config.Outbound).includes('10.96.7.7/32'), 'bookbuyer can reach the new service');
  t.end();
});

t.test('a batch in steps gives what one recompute gives, and drops removed proxies in its first step', (t) => {
  const objects = [...fixture('mesh.yaml'), ...fixture('smi.yaml'), SMI];
  const whole = createSidecarConfigSet({ view: storeOf(objects) });
  const wholeResult = whole.recompute();
  const store = storeOf(objects);
  const stepped = createSidecarConfigSet({ view: store });
  const batch = stepped.begin();
  const steps = [];
  for (let r = batch.step(2); r; r = batch.step(2)) steps.push(r);
  t.same(steps.map((r) => r.recomputed), [2, 2, 1], 'five proxies in steps of two');
  t.same(steps.flatMap((r) => r.changed).sort(), wholeResult.changed, 'the same proxies changed');
  for (const uuid of whole.keys()) t.equal(stepped.get(uuid)?.json, whole.get(uuid)?.json, `${uuid}: the same config`);
  t.equal(batch.step(2), undefined, 'a finished batch stays finished');
  t.same(stepped.stats(), { nodes: 5, recomputations: 5, lastRecomputed: 5, lastChanged: 5 }, 'stats count the whole batch');

  const pod = store.get<MeshObject>('Pod', 'bookwarehouse', 'bookwarehouse-1');
  if (!pod) throw new Error('fixture pod missing');
  store.apply([{ type: 'delete', object: pod }]);
  const again = stepped.begin([UUID.bookwarehouse, UUID.bookbuyer, UUID.bookstoreV1]);
  const first = again.step(1);
  t.same(first?.removed, [UUID.bookwarehouse], 'the first step drops the proxy gone from the view');
  t.equal(first?.recomputed, 1);
  const second = again.step(1);
  t.same(second?.removed, [], 'later steps drop nothing');
  t.equal(second?.recomputed, 1);
  t.equal(again.step(1), undefined);
  t.equal(stepped.get(UUID.bookwarehouse), undefined);
  t.end();
});
