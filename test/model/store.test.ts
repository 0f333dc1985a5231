import t from 'tap';
import { createModelStore } from '../../src/model/store.js';
import type { ModelChange } from '../../src/model/view.js';
import { del, meshConfig, ns, pod, routeGroup, service, slice, split, trafficTarget, up } from './fixtures/objects.js';

function smiMesh() {
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

t.test('indexes answer generator queries in deterministic order', async (t) => {
  const store = smiMesh();
  t.same(store.namespaces(), ['a', 'b', 'c']);
  t.same(store.proxies().map((p) => p.uuid), ['u-client-1', 'u-client-2', 'u-other-1', 'u-server-1', 'u-server-2']);
  const p = store.proxyByUuid('u-server-1');
  t.equal(p?.identity, 'server.b');
  t.equal(p?.cnPrefix, 'u-server-1.sidecar.server.b');
  t.same(store.podsByServiceAccount('a', 'client').map((x) => x.metadata.name), ['client-1', 'client-2']);
  const svc = store.get('Service', 'b', 'server');
  t.ok(svc);
  t.same(store.podsForService(svc as never).map((x) => x.metadata.name), ['server-1', 'server-2']);
  const one = store.apply(up(service('b', 'just-one', { 'fsm-proxy-uuid': 'u-server-2' }))).changes[0]?.new;
  t.same(store.podsForService(one as never).map((x) => x.metadata.name), ['server-2'], 'selecting by the uuid label');
  store.apply(del(service('b', 'just-one')));
  const v1 = store.get('Service', 'b', 'server-v1');
  t.same(store.podsForService(v1 as never).map((x) => x.metadata.name), ['server-1']);
  t.same(store.servicesForPod(store.get('Pod', 'b', 'server-1') as never).map((s) => s.metadata.name), ['server', 'server-v1']);
  t.same(store.endpointSlicesForService('b', 'server').map((s) => s.metadata.name), ['server-abc']);
  t.same(store.policiesFor('TrafficTarget', { identity: 'server.b' }).map((x) => x.metadata.name), ['client-to-server']);
  t.same(store.list('Service').map((s) => `${s.metadata.namespace}/${s.metadata.name}`), ['b/server', 'b/server-v1', 'c/other']);
  t.same(store.errors(), []);
});

t.test('objects are trimmed: no managedFields, no unused status', async (t) => {
  const store = smiMesh();
  const p = store.get('Pod', 'a', 'client-1') as Record<string, any>;
  t.equal(p['metadata']['managedFields'], undefined);
  t.equal(p['status']['conditions'], undefined);
  t.equal(p['status']['podIP'], '10.0.1.1');
  t.equal(p['spec']['containers'][0]['image'], undefined);
  t.same(p['spec']['containers'][0]['ports'], [{ containerPort: 8080 }]);
});

t.test('changes carry old and new; an identical upsert is no change', async (t) => {
  const store = smiMesh();
  const before = store.get('Pod', 'b', 'server-1');
  const r = store.apply(up(pod('b', 'server-1', { sa: 'server', labels: { app: 'server', version: 'v1' }, ip: '10.0.2.9', uuid: 'u-server-1' })));
  t.equal(r.changes.length, 1);
  t.equal(r.changes[0]?.old, before);
  t.equal((r.changes[0]?.new?.status as { podIP: string }).podIP, '10.0.2.9');
  const same = store.apply(up(pod('b', 'server-1', { sa: 'server', labels: { app: 'server', version: 'v1' }, ip: '10.0.2.9', uuid: 'u-server-1' })));
  t.equal(same.changes.length, 0, 'an identical upsert is not a change');
});

t.test('namespace monitoring: only labelled namespaces are observed, live', async (t) => {
  const store = createModelStore({ meshName: 'fsm' });
  store.apply(up(ns('x', {}), pod('x', 'p', { uuid: 'u-x' }), service('x', 'p')));
  t.same(store.list('Pod'), []);
  t.same(store.proxies(), []);
  const on = store.apply(up(ns('x')));
  t.same(on.changes.map((c) => c.key).sort(), ['Namespace//x', 'Pod/x/p', 'Service/x/p']);
  t.ok(on.changes.filter((c) => c.kind !== 'Namespace').every((c) => c.new && !c.old));
  t.same(store.proxies().map((p) => p.uuid), ['u-x']);
  const ignored = store.apply(up(ns('x', { 'flomesh.io/monitored-by': 'fsm', 'flomesh.io/ignore': 'true' })));
  t.ok(ignored.changes.filter((c) => c.kind !== 'Namespace').every((c) => c.old && !c.new));
  t.same(store.list('Pod', 'x'), []);
  store.apply(up(ns('x', { 'flomesh.io/monitored-by': 'other-mesh' })));
  t.same(store.namespaces(), []);
  store.apply(up(ns('x')));
  t.same(store.proxies().map((p) => p.uuid), ['u-x']);
  const gone = store.apply(del(ns('x')));
  t.same(gone.changes.map((c) => `${c.old ? 'old' : ''}${c.new ? 'new' : ''}:${c.key}`).sort(), ['old:Namespace//x', 'old:Pod/x/p', 'old:Service/x/p'], 'deleting the namespace hides its objects');
  t.same(store.proxies(), []);
  t.equal(store.count('Pod'), 1, 'objects of unobserved namespaces are kept for later');
});

t.test('MeshConfig: defaults apply when absent; outside the fsm namespace is not the mesh config', async (t) => {
  const store = createModelStore({ fsmNamespace: 'fsm-system' });
  t.equal(store.meshConfig.spec.traffic.enablePermissiveTrafficPolicyMode, true);
  store.apply(up(meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: false } }, 'elsewhere')));
  t.equal(store.meshConfig.isPermissiveTrafficPolicyMode(), true);
  store.apply(up(meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: false } })));
  t.equal(store.meshConfig.isPermissiveTrafficPolicyMode(), false);
  t.equal(store.meshConfig.spec.traffic.enableEgress, true, 'unspecified fields keep their default');
  store.apply(del(meshConfig({})));
  t.equal(store.meshConfig.isPermissiveTrafficPolicyMode(), true);
});

t.test('MeshConfig of the wrong type is refused and the previous one stays', async (t) => {
  const store = createModelStore();
  store.apply(up(meshConfig({ traffic: { enableEgress: false } })));
  const r = store.apply(up(meshConfig({ traffic: { enableEgress: 'no' } })));
  t.equal(r.changes.length, 0);
  t.equal(r.errors.length, 1);
  t.equal(r.errors[0]?.field, 'spec.traffic.enableEgress');
  t.equal(r.errors[0]?.reason, 'Invalid value: "string": spec.traffic.enableEgress in body must be of type boolean: "string"');
  t.equal(r.errors[0]?.object, 'MeshConfig fsm-system/fsm-mesh-config');
  t.equal(store.meshConfig.spec.traffic.enableEgress, false);
  t.equal(store.errors().length, 1);
  store.apply(up(meshConfig({ traffic: { enableEgress: true } })));
  t.same(store.errors(), [], 'fixing the object clears its error');
  t.equal(store.meshConfig.spec.traffic.enableEgress, true);
});

t.test('legacy Endpoints read as EndpointSlices', async (t) => {
  const store = createModelStore();
  store.apply(up(ns('e'), service('e', 'legacy'), { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'legacy', namespace: 'e' }, subsets: [{ addresses: [{ ip: '10.1.0.1' }], notReadyAddresses: [{ ip: '10.1.0.2' }], ports: [{ port: 80 }] }] }));
  const slices = store.endpointSlicesForService('e', 'legacy');
  t.equal(slices.length, 1);
  t.same(slices[0]?.endpoints?.map((e) => [e.addresses[0], e.conditions?.ready]), [['10.1.0.1', true], ['10.1.0.2', false]]);
  t.same(store.errors(), []);
});

t.test('source warnings are listed with their severity but neither counted nor announced as errors', async (t) => {
  const store = createModelStore();
  const announced: string[] = [];
  store.onError((e) => announced.push(e.reason));
  store.setSourceProblems('a.yaml', [
    { origin: { source: 'file', file: 'a.yaml', line: 3 }, reason: 'also defined elsewhere', severity: 'warning' },
    { origin: { source: 'file', file: 'a.yaml', line: 9 }, reason: 'broken', code: 'E3002' },
  ]);
  t.same(store.errors().map((e) => [e.reason, e.severity ?? 'error']), [['also defined elsewhere', 'warning'], ['broken', 'error']]);
  t.same(announced, ['broken']);
  t.same(Object.fromEntries(store.errorCounts()), { E3002: 1 });
});

t.test('a namespace holding registry-sourced Services is meshed while no Namespace object decides', (t) => {
  const store = createModelStore({ meshName: 'fsm' });
  const reg = (name: string, labelled = true) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'registry', ...(labelled ? { labels: { 'fsm-connector-cloud-sourced-service': 'true' } } : {}) },
    spec: { clusterIP: 'None', ports: [{ port: 80 }] },
  });
  store.apply(up(reg('plain', false)));
  t.same(store.namespaces(), [], 'an ordinary Service does not mesh its namespace');
  const first = store.apply(up(reg('a')));
  t.same(store.namespaces(), ['registry'], 'a registry Service does');
  t.same(first.changes.map((c) => c.key).sort(), ['Service/registry/a', 'Service/registry/plain'], 'and what the namespace holds becomes visible');
  store.apply(up(reg('b')));
  store.apply(del(reg('a')));
  t.same(store.namespaces(), ['registry'], 'still one registry Service');
  const last = store.apply(del(reg('b')));
  t.same(store.namespaces(), [], 'the last one gone, the namespace is not meshed');
  t.same(last.changes.map((c) => [c.key, !!c.new]).sort(), [['Service/registry/b', false], ['Service/registry/plain', false]]);

  store.apply(up(reg('a'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'registry' } }));
  t.same(store.namespaces(), [], 'a Namespace object without the monitored label decides: not meshed (as in FSM)');
  store.apply(up(ns('registry')));
  t.same(store.namespaces(), ['registry'], 'labelled, it is meshed');
  store.apply(del(ns('registry')));
  t.same(store.namespaces(), ['registry'], 'the Namespace object gone, the registry Service keeps it meshed');
  t.end();
});
