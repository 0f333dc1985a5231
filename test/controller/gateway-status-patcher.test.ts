/**
 * The Kubernetes status patcher against the API server stand-in, with the
 * status writer on top: statuses land in the `/status` subresource of
 * namespaced and cluster-scoped objects, a stale read is retried (a bounded
 * number of times), a status already as merged is not written, other
 * controllers' route parents survive, and the leadership signal aborts.
 */
import t from 'tap';
import { createKubeStatusPatcher } from '../../src/controller/gateway-status-patcher.js';
import { computeGatewayStatus } from '../../src/generate/gateway/status/gateway-status.js';
import { createGatewayStatusWriter } from '../../src/generate/gateway/status/status-writer.js';
import { createKubeClient } from '../../src/kubernetes/kube-client.js';
import { createModelStore } from '../../src/model/store.js';
import { createKubeApiStandIn } from '../stand-ins/kube-api-server.js';

const GW = 'gateway.networking.k8s.io/v1';
const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'flomesh.io/monitored-by': 'fsm' } } },
  { apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' }, spec: { gatewayAPI: { enabled: true } } },
  { apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'fsm', generation: 1 }, spec: { controllerName: 'flomesh.io/gateway-controller' } },
  { apiVersion: GW, kind: 'Gateway', metadata: { name: 'edge', namespace: 'shop', generation: 2 }, spec: { gatewayClassName: 'fsm', listeners: [{ name: 'web', port: 80, protocol: 'HTTP' }] } },
  { apiVersion: GW, kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'shop', generation: 3 }, spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'ghost', port: 80 }] }] } },
];

t.test('the writer\'s statuses land in the status subresources; a stale read is retried', async (t) => {
  const api = createKubeApiStandIn();
  for (const [kind, plural, namespaced] of [['GatewayClass', 'gatewayclasses', false], ['Gateway', 'gateways', true], ['HTTPRoute', 'httproutes', true]] as const) {
    api.addResource({ apiVersion: GW, kind, plural, namespaced });
  }
  await api.start();
  t.teardown(() => api.close());
  for (const o of objects.slice(2)) api.create(o);
  const other = { parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'shop', name: 'istio' }, controllerName: 'istio.io/gateway-controller', conditions: [] };
  api.setStatus(GW, 'HTTPRoute', 'shop', 'web', { parents: [other] });

  // The first write of the Gateway's status races a concurrent update: its resourceVersion is stale once.
  let raced = false;
  const inner = createKubeStatusPatcher({ client: createKubeClient({ kubeConfig: api.kubeConfig() }) });
  const patcher: typeof inner = (target, merge) =>
    inner(target, (current) => {
      if (target.kind === 'Gateway' && !raced) {
        raced = true;
        api.setStatus(GW, 'Gateway', 'shop', 'edge', { addresses: [{ value: '192.0.2.1' }] });
      }
      return merge(current);
    });

  const store = createModelStore();
  store.apply(objects.map((object) => ({ type: 'upsert' as const, object })));
  const writer = createGatewayStatusWriter({ patchStatus: patcher, now: () => new Date('2024-06-01T00:00:00Z') });
  t.same(await writer.sync(computeGatewayStatus(store)), { written: 3, failed: [] });

  const cls = api.get(GW, 'GatewayClass', undefined, 'fsm') as unknown as { status: { conditions: { type: string; status: string; lastTransitionTime: string; observedGeneration: number }[] } };
  t.match(cls.status.conditions, [{ type: 'Accepted', status: 'True', lastTransitionTime: '2024-06-01T00:00:00Z', observedGeneration: 1 }]);
  const gw = api.get(GW, 'Gateway', 'shop', 'edge') as unknown as { status: { conditions: unknown[]; listeners: { name: string }[]; addresses: unknown } };
  t.match(gw.status.conditions, [{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'True' }]);
  t.same(gw.status.listeners.map((l) => l.name), ['web']);
  t.same(gw.status.addresses, [{ value: '192.0.2.1' }], 'the concurrent update was read again, not overwritten');
  const route = api.get(GW, 'HTTPRoute', 'shop', 'web') as unknown as { status: { parents: { controllerName: string; conditions: { type: string; status: string; reason: string }[] }[] } };
  t.same(route.status.parents.map((p) => p.controllerName), ['istio.io/gateway-controller', 'flomesh.io/gateway-controller']);
  t.match(route.status.parents[1]?.conditions, [{ type: 'Accepted', status: 'True' }, { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound' }]);
});

t.test('a missing object is a failed write, reported by the writer', async (t) => {
  const api = createKubeApiStandIn();
  api.addResource({ apiVersion: GW, kind: 'GatewayClass', plural: 'gatewayclasses', namespaced: false });
  await api.start();
  t.teardown(() => api.close());
  const store = createModelStore();
  store.apply(objects.slice(0, 3).map((object) => ({ type: 'upsert' as const, object })));
  const writer = createGatewayStatusWriter({ patchStatus: createKubeStatusPatcher({ client: createKubeClient({ kubeConfig: api.kubeConfig() }) }) });
  const result = await writer.sync(computeGatewayStatus(store));
  t.equal(result.written, 0);
  t.same(result.failed.map((f) => f.target.name), ['fsm']);
});

function standIn() {
  const api = createKubeApiStandIn();
  api.addResource({ apiVersion: GW, kind: 'Gateway', plural: 'gateways', namespaced: true });
  return api;
}
const target = { apiVersion: GW, kind: 'Gateway', plural: 'gateways', namespace: 'shop', name: 'edge' };
const statusPuts = (api: ReturnType<typeof createKubeApiStandIn>) => api.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/status')).length;

t.test('a status already as merged is not written again', async (t) => {
  const api = standIn();
  await api.start();
  t.teardown(() => api.close());
  api.create(objects[3] as Record<string, unknown>);
  const patch = createKubeStatusPatcher({ client: createKubeClient({ kubeConfig: api.kubeConfig() }) });
  await patch(target, () => ({ conditions: [{ type: 'Accepted', status: 'True' }] }));
  t.equal(statusPuts(api), 1);
  await patch(target, (current) => ({ ...current }));
  t.equal(statusPuts(api), 1, 'unchanged: read, not written');
  t.match(api.get(GW, 'Gateway', 'shop', 'edge'), { status: { conditions: [{ type: 'Accepted', status: 'True' }] } });
});

t.test('a conflict on every attempt fails after the retries', async (t) => {
  const api = standIn();
  await api.start();
  t.teardown(() => api.close());
  api.create(objects[3] as Record<string, unknown>);
  const patch = createKubeStatusPatcher({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), retries: 2 });
  let reads = 0;
  const err = await patch(target, (current) => {
    reads++;
    api.setStatus(GW, 'Gateway', 'shop', 'edge', { addresses: [{ value: `192.0.2.${reads}` }] });
    return { ...current, conditions: [] };
  }).then(() => undefined, (e: unknown) => e);
  t.match(err, { name: 'KubeApiError', status: 409 });
  t.equal(reads, 3, 'the first attempt and two retries');
});

t.test('the leadership signal aborts the patch', async (t) => {
  const api = standIn();
  await api.start();
  t.teardown(() => api.close());
  api.create(objects[3] as Record<string, unknown>);
  const leadership = new AbortController();
  leadership.abort(new Error('leadership ended'));
  const patch = createKubeStatusPatcher({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), signal: leadership.signal });
  await t.rejects(patch(target, () => ({ conditions: [] })));
  t.equal(statusPuts(api), 0, 'nothing written');
});
