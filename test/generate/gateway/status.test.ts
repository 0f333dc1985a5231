/**
 * Status conditions, and the bad inputs of issue 13: a route referencing a
 * missing Service, a cross-namespace backend without a ReferenceGrant, two
 * listeners on one port with conflicting protocols, a policy targeting
 * nothing. Each gives its condition, and nothing else changes: the rest of
 * the gateway's config and every other status stay as they were.
 */
import t, { type Test } from 'tap';
import { computeGatewayStatus, type GatewayStatusReport, type ObjectStatus } from '../../../src/generate/gateway/status/gateway-status.js';
import { formatStatusProblem, statusProblems } from '../../../src/generate/gateway/status/status-problems.js';
import type { MeshObject } from '../../../src/model/types.js';
import { fixture, generateAll, storeOf } from './helpers.js';

const gateway: MeshObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'main', namespace: 'gw', generation: 7 },
  spec: {
    gatewayClassName: 'fsm-gateway-cls',
    listeners: [
      { name: 'web', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
      { name: 'db', port: 5432, protocol: 'TCP' },
    ],
  },
};
const goodRoute: MeshObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'good', namespace: 'gw', generation: 2 },
  spec: { parentRefs: [{ name: 'main' }], hostnames: ['good.example.com'], rules: [{ backendRefs: [{ name: 'httpbin', port: 8080 }] }] },
};
const world = [...fixture('base.yaml'), gateway, goodRoute];

function statusOf(report: GatewayStatusReport, kind: string, name: string): ObjectStatus {
  const all = [...report.classes, ...report.gateways, ...report.routes, ...report.policies];
  const found = all.find((s) => s.kind === kind && s.name === name);
  if (!found) throw new Error(`no status for ${kind} ${name}`);
  return found;
}

function conditionsOf(s: ObjectStatus, parentIndex = 0): Record<string, string> {
  const parents = s.status['parents'] as { conditions: { type: string; status: string; reason: string }[] }[] | undefined;
  const conds = parents ? (parents[parentIndex]?.conditions ?? []) : (s.status['conditions'] as { type: string; status: string; reason: string }[]);
  return Object.fromEntries(conds.map((c) => [c.type, `${c.status}/${c.reason}`]));
}

/** Config and statuses of everything but the bad object, before and after it arrives. */
function unaffected(t: Test, bad: MeshObject, label: string): GatewayStatusReport {
  const before = storeOf(world);
  const after = storeOf([...world, bad]);
  const cfgBefore = JSON.parse(generateAll(before).get('gw/main')?.configJson ?? '{}');
  const cfgAfter = JSON.parse(generateAll(after).get('gw/main')?.configJson ?? '{}');
  t.same(cfgAfter.RouteRules['80']?.['good.example.com'], cfgBefore.RouteRules['80']['good.example.com'], `${label}: the good route is configured as before`);
  t.same(cfgAfter.Services['gw/httpbin:8080'], cfgBefore.Services['gw/httpbin:8080'], `${label}: its backend is configured as before`);
  const sBefore = computeGatewayStatus(before);
  const sAfter = computeGatewayStatus(after);
  t.same(statusOf(sAfter, 'HTTPRoute', 'good'), statusOf(sBefore, 'HTTPRoute', 'good'), `${label}: the good route's status is unchanged`);
  return sAfter;
}

t.test('a healthy gateway: every condition true, observedGeneration from metadata.generation, no problem lines', async (t) => {
  const report = computeGatewayStatus(storeOf(world));
  t.same(statusProblems(report), []);
  const gw = statusOf(report, 'Gateway', 'main');
  t.same(conditionsOf(gw), { Accepted: 'True/Accepted', Programmed: 'True/Programmed' });
  t.equal((gw.status['conditions'] as { observedGeneration: number }[])[0]?.observedGeneration, 7);
  const listeners = gw.status['listeners'] as { name: string; attachedRoutes: number; supportedKinds: { kind: string }[] }[];
  t.same(listeners.map((l) => [l.name, l.attachedRoutes, l.supportedKinds.map((k) => k.kind)]), [['web', 1, ['HTTPRoute', 'GRPCRoute']], ['db', 0, ['TCPRoute']]]);
  const route = statusOf(report, 'HTTPRoute', 'good');
  t.same(conditionsOf(route), { Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' });
  const parent = (route.status['parents'] as { parentRef: unknown; controllerName: string; conditions: { observedGeneration: number }[] }[])[0];
  t.same(parent?.parentRef, { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gw', name: 'main' });
  t.equal(parent?.controllerName, 'flomesh.io/gateway-controller');
  t.equal(parent?.conditions[0]?.observedGeneration, 2);
  t.same(conditionsOf(statusOf(report, 'GatewayClass', 'fsm-gateway-cls')), { Accepted: 'True/Accepted' });
});

t.test('a route referencing a missing Service: ResolvedRefs=False BackendNotFound, its requests fail', async (t) => {
  const bad: MeshObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'missing', namespace: 'gw' },
    spec: { parentRefs: [{ name: 'main' }], hostnames: ['missing.example.com'], rules: [{ backendRefs: [{ name: 'ghost', port: 80 }] }] },
  };
  const report = unaffected(t, bad, 'missing service');
  t.same(conditionsOf(statusOf(report, 'HTTPRoute', 'missing')), { Accepted: 'True/Accepted', ResolvedRefs: 'False/BackendNotFound' });
  t.match(statusProblems(report).map(formatStatusProblem), [/^HTTPRoute gw\/missing: Gateway gw\/main: ResolvedRefs=False BackendNotFound: Service gw\/ghost does not exist$/]);
  const cfg = JSON.parse(generateAll(storeOf([...world, bad])).get('gw/main')?.configJson ?? '{}');
  t.same(cfg.RouteRules['80']['missing.example.com'].Matches[0].BackendService, { '!unresolved': { Weight: 1 } }, 'answered by the backend without endpoints');
  t.same(cfg.Services['!unresolved'], { Endpoints: {} });
});

t.test('a cross-namespace backend without a ReferenceGrant: RefNotPermitted; with one: resolved', async (t) => {
  const cross: MeshObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'cross', namespace: 'gw' },
    spec: { parentRefs: [{ name: 'main' }], hostnames: ['cross.example.com'], rules: [{ backendRefs: [{ name: 'bookstore', namespace: 'apps', port: 14001 }] }] },
  };
  const report = unaffected(t, cross, 'no grant');
  t.same(conditionsOf(statusOf(report, 'HTTPRoute', 'cross')), { Accepted: 'True/Accepted', ResolvedRefs: 'False/RefNotPermitted' });
  const cfg = JSON.parse(generateAll(storeOf([...world, cross])).get('gw/main')?.configJson ?? '{}');
  t.notOk(cfg.Services['apps/bookstore:14001'], 'the other namespace\'s endpoints are not exposed');

  const grant: MeshObject = {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: 'allow', namespace: 'apps' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'gw' }], to: [{ group: '', kind: 'Service' }] },
  };
  const granted = storeOf([...world, cross, grant]);
  t.same(conditionsOf(statusOf(computeGatewayStatus(granted), 'HTTPRoute', 'cross')), { Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' });
  const cfg2 = JSON.parse(generateAll(granted).get('gw/main')?.configJson ?? '{}');
  t.same(cfg2.Services['apps/bookstore:14001'].Endpoints, { '10.1.0.31:14001': { Weight: 1 } });
});

t.test('two listeners on one port with conflicting protocols: both Conflicted, neither programmed, the rest unchanged', async (t) => {
  const conflicting: MeshObject = {
    ...gateway,
    spec: {
      ...(gateway.spec as object),
      listeners: [...(gateway.spec as { listeners: object[] }).listeners, { name: 'raw', port: 81, protocol: 'TCP' }, { name: 'web2', port: 81, protocol: 'HTTP' }],
    },
  };
  const store = storeOf([...world.filter((o) => o !== gateway), conflicting]);
  const report = computeGatewayStatus(store);
  const gw = statusOf(report, 'Gateway', 'main');
  const listeners = gw.status['listeners'] as { name: string; conditions: { type: string; status: string; reason: string }[] }[];
  for (const name of ['raw', 'web2']) {
    const l = listeners.find((x) => x.name === name);
    t.same(Object.fromEntries((l?.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`])), { Accepted: 'True/Accepted', Programmed: 'False/Invalid', ResolvedRefs: 'True/ResolvedRefs', Conflicted: 'True/ProtocolConflict' }, name);
  }
  t.same(conditionsOf(gw), { Accepted: 'True/ListenersNotValid', Programmed: 'True/Programmed' }, 'the Gateway stays accepted with its valid listeners');
  const cfg = JSON.parse(generateAll(store).get('gw/main')?.configJson ?? '{}');
  t.same(cfg.Listeners.map((l: { Port: number }) => l.Port), [80, 5432], 'port 81 is not configured');
  t.same(statusOf(report, 'HTTPRoute', 'good'), statusOf(computeGatewayStatus(storeOf(world)), 'HTTPRoute', 'good'));
  t.equal(statusProblems(report).filter((p) => p.reason === 'ProtocolConflict').length, 2);
});

t.test('a policy targeting nothing: Accepted=False TargetNotFound, nothing configured', async (t) => {
  const orphan: MeshObject = {
    apiVersion: 'gateway.flomesh.io/v1alpha1',
    kind: 'RateLimitPolicy',
    metadata: { name: 'orphan', namespace: 'gw', generation: 1 },
    spec: { targetRef: { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'nothing' }, hostnames: [{ hostname: 'good.example.com', config: { requests: 1, statTimeWindow: 1 } }] },
  };
  const report = unaffected(t, orphan, 'orphan policy');
  t.same(conditionsOf(statusOf(report, 'RateLimitPolicy', 'orphan')), { Accepted: 'False/TargetNotFound' });
  const cfg = JSON.parse(generateAll(storeOf([...world, orphan])).get('gw/main')?.configJson ?? '{}');
  t.notOk(cfg.RouteRules['80']['good.example.com'].RateLimit);
});

t.test('routes that attach nowhere: no parentRefs, a missing Gateway, a missing listener', async (t) => {
  const lonely: MeshObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'lonely', namespace: 'gw' }, spec: { rules: [{ backendRefs: [{ name: 'httpbin', port: 8080 }] }] } };
  const lost: MeshObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'lost', namespace: 'gw' }, spec: { parentRefs: [{ name: 'nowhere' }, { name: 'main', sectionName: 'nope' }] } };
  const report = computeGatewayStatus(storeOf([...world, lonely, lost]));
  t.same(statusProblems(report).map(formatStatusProblem), [
    'HTTPRoute gw/lost: Gateway gw/main listener nope: Accepted=False NoMatchingParent: Gateway gw/main listener nope has no such listener',
    'HTTPRoute gw/lost: Gateway gw/nowhere: Accepted=False NoMatchingParent: Gateway gw/nowhere does not exist',
    'HTTPRoute gw/lonely: Accepted=False NoParentRefs: the route names no parent, so it attaches to no Gateway',
  ]);
});

t.test('nothing is reported while the Gateway API is disabled', async (t) => {
  const off = storeOf([...world, { apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' }, spec: { gatewayAPI: { enabled: false } } }]);
  t.same(computeGatewayStatus(off), { classes: [], gateways: [], routes: [], policies: [], orphans: [] });
});
