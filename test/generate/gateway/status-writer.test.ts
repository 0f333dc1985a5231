/**
 * The status writer against a fake status subresource: what it writes, when
 * it skips, how it keeps lastTransitionTime and other controllers' route
 * parents, and that a failed write is retried.
 */
import t from 'tap';
import { computeGatewayStatus } from '../../../src/generate/gateway/status/gateway-status.js';
import { createGatewayStatusWriter, type PatchStatus, type StatusTarget } from '../../../src/generate/gateway/status/status-writer.js';
import type { MeshObject } from '../../../src/model/types.js';
import { fixture, storeOf } from './helpers.js';

/** A fake API server's status subresources, keyed by kind/namespace/name. */
function fakeApi() {
  const statuses = new Map<string, Record<string, unknown>>();
  const writes: string[] = [];
  let failNext = 0;
  const key = (t: StatusTarget) => `${t.kind}/${t.namespace ?? ''}/${t.name}`;
  const patch: PatchStatus = async (target, merge) => {
    if (failNext > 0) {
      failNext--;
      throw new Error('conflict');
    }
    statuses.set(key(target), merge(statuses.get(key(target))));
    writes.push(`${target.apiVersion} ${target.plural} ${key(target)}`);
  };
  return { statuses, writes, patch, failOnce: () => void (failNext = 1) };
}

const gateway: MeshObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'main', namespace: 'gw', generation: 1 },
  spec: { gatewayClassName: 'fsm-gateway-cls', listeners: [{ name: 'web', port: 80, protocol: 'HTTP' }] },
};
const route = (backend: string): MeshObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'r', namespace: 'gw', generation: backend === 'httpbin' ? 1 : 2 },
  spec: { parentRefs: [{ name: 'main' }], rules: [{ backendRefs: [{ name: backend, port: 8080 }] }] },
});

t.test('writes every owned status once, then only what changed, keeping transition times of unchanged conditions', async (t) => {
  const api = fakeApi();
  let clock = new Date('2024-06-01T10:00:00.123Z');
  const writer = createGatewayStatusWriter({ patchStatus: api.patch, now: () => clock });
  const world = [...fixture('base.yaml'), gateway];

  const first = await writer.sync(computeGatewayStatus(storeOf([...world, route('httpbin')])));
  t.same(first, { written: 3, failed: [] });
  t.same(api.writes, [
    'gateway.networking.k8s.io/v1 gatewayclasses GatewayClass//fsm-gateway-cls',
    'gateway.networking.k8s.io/v1 gateways Gateway/gw/main',
    'gateway.networking.k8s.io/v1 httproutes HTTPRoute/gw/r',
  ]);
  const parents1 = api.statuses.get('HTTPRoute/gw/r')?.['parents'] as { conditions: { type: string; lastTransitionTime: string }[] }[];
  t.equal(parents1[0]?.conditions[1]?.lastTransitionTime, '2024-06-01T10:00:00Z', 'second precision, like metav1.Time');

  t.same(await writer.sync(computeGatewayStatus(storeOf([...world, route('httpbin')]))), { written: 0, failed: [] }, 'nothing changed, nothing written');

  clock = new Date('2024-06-01T11:00:00Z');
  t.same(await writer.sync(computeGatewayStatus(storeOf([...world, route('missing')]))), { written: 1, failed: [] }, 'only the route changed');
  const conds = (api.statuses.get('HTTPRoute/gw/r')?.['parents'] as { conditions: { type: string; status: string; lastTransitionTime: string; observedGeneration: number }[] }[])[0]?.conditions ?? [];
  t.same(
    conds.map((c) => [c.type, c.status, c.lastTransitionTime, c.observedGeneration]),
    [
      ['Accepted', 'True', '2024-06-01T10:00:00Z', 2],
      ['ResolvedRefs', 'False', '2024-06-01T11:00:00Z', 2],
    ],
    'Accepted kept its time; ResolvedRefs changed status and got the new one',
  );
});

t.test('route parents of other controllers are kept', async (t) => {
  const api = fakeApi();
  const other = { parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gw', name: 'istio' }, controllerName: 'istio.io/gateway-controller', conditions: [] };
  api.statuses.set('HTTPRoute/gw/r', { parents: [other] });
  const writer = createGatewayStatusWriter({ patchStatus: api.patch });
  await writer.sync(computeGatewayStatus(storeOf([...fixture('base.yaml'), gateway, route('httpbin')])));
  const parents = api.statuses.get('HTTPRoute/gw/r')?.['parents'] as { controllerName: string }[];
  t.same(parents.map((p) => p.controllerName), ['istio.io/gateway-controller', 'flomesh.io/gateway-controller']);
});

t.test('a failed write is reported and retried on the next sync', async (t) => {
  const api = fakeApi();
  const writer = createGatewayStatusWriter({ patchStatus: api.patch });
  const report = computeGatewayStatus(storeOf([...fixture('base.yaml'), gateway]));
  api.failOnce();
  const first = await writer.sync(report);
  t.equal(first.written, 1);
  t.same(first.failed.map((f) => [f.target.kind, f.error]), [['GatewayClass', 'conflict']]);
  t.same(await writer.sync(report), { written: 1, failed: [] }, 'the GatewayClass is written now');
});
