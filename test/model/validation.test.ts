import t from 'tap';
import { createModelStore } from '../../src/model/store.js';
import type { MeshObject } from '../../src/model/types.js';
import { ns, routeGroup, service, slice, split, trafficTarget, up } from './fixtures/objects.js';

const obj = (apiVersion: string, kind: string, name: string, spec: unknown, namespace = 'shop'): MeshObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace },
  spec,
});
const POLICY = 'policy.flomesh.io/v1alpha1';

/** Applies one object to a fresh store and returns its errors as `field|code|reason`. */
function errorsOf(o: MeshObject, ...others: MeshObject[]) {
  const store = createModelStore();
  store.apply(up(ns('shop'), ...others));
  const r = store.apply(up(o));
  return { store, errors: r.errors.map((e) => `${e.field}|${e.code ?? ''}|${e.reason}`), raw: r.errors };
}

t.test('TrafficSplit: weights of 0 or more, backends in the same namespace, one split per apex (E2007)', async (t) => {
  t.same(errorsOf(split('shop', 's', 'web', [['web-v1', 0], ['web-v2', 10]])).errors, [], 'weight 0 is a failover backend, as FSM accepts');
  t.same(errorsOf(split('shop', 's', 'web', [['web-v1', -1]])).errors, [
    'spec.backends[0].weight||Invalid value: -1: spec.backends[0].weight in body should be greater than or equal to 0',
  ]);
  t.same(errorsOf(split('shop', 's', 'web', [['web-v1.other', 10]])).errors, [
    'spec.backends[0].service||Invalid value: "web-v1.other": backend must be a service in namespace "shop"',
  ]);
  const { errors, store } = errorsOf(split('shop', 's2', 'web.shop', [['web-v2', 10]]), split('shop', 's1', 'web', [['web-v1', 10]]));
  t.same(errors, ['spec.service|E2007|apex service "web" already has TrafficSplit shop/s1']);
  t.same(store.list('TrafficSplit').map((s) => s.metadata.name), ['s1'], 'the refused split is not in the model');
});

t.test('TrafficTarget kinds (E2010, E2011) and HTTPRouteGroup without matches (E2006)', async (t) => {
  const bad = trafficTarget('shop', 'tt', 'web', [{ name: 'client', namespace: 'a' }]);
  (bad.spec as { destination: { kind: string } }).destination.kind = 'Service';
  (bad.spec as { sources: { kind: string }[] }).sources[0]!.kind = 'Group';
  t.same(errorsOf(bad).errors, [
    'spec.destination.kind|E2010|Unsupported value: "Service": supported values: "ServiceAccount"',
    'spec.sources[0].kind|E2011|Unsupported value: "Group": supported values: "ServiceAccount"',
  ]);
  t.same(errorsOf(obj('specs.smi-spec.io/v1alpha4', 'HTTPRouteGroup', 'r', { matches: [] })).errors, ['spec.matches|E2006|HTTPRouteGroup has no matches']);
  const elsewhere = trafficTarget('shop', 'tt', 'web', [{ name: 'client', namespace: 'a' }]);
  (elsewhere.spec as { destination: { namespace: string } }).destination.namespace = 'other';
  t.same(errorsOf(elsewhere).errors, ['spec.destination.namespace||Invalid value: "other": must be the TrafficTarget\'s namespace "shop"']);
});

t.test('cross-object: TrafficTarget naming a missing HTTPRouteGroup (E2005), resolved when it appears', async (t) => {
  const store = createModelStore();
  const r = store.apply(up(ns('shop'), trafficTarget('shop', 'tt', 'web', [{ name: 'client', namespace: 'a' }])));
  t.same(r.errors.map((e) => `${e.object}|${e.field}|${e.code}|${e.reason}`), ['TrafficTarget shop/tt|spec.rules[0].name|E2005|HTTPRouteGroup shop/routes not found']);
  t.ok(store.get('TrafficTarget', 'shop', 'tt'), 'the target is kept; only reported');
  store.apply(up(routeGroup('shop')));
  t.same(store.errors(), []);
});

t.test('cross-object: Egress matching a missing HTTPRouteGroup (E2004); Service without endpoints (E3000)', async (t) => {
  const store = createModelStore();
  const eg = obj(POLICY, 'Egress', 'eg', {
    sources: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }],
    hosts: ['httpbin.org'],
    ports: [{ number: 80, protocol: 'http' }],
    matches: [{ apiGroup: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', name: 'missing' }],
  });
  const r = store.apply(up(ns('shop'), eg, service('shop', 'web')));
  t.same(r.errors.map((e) => `${e.object}|${e.code}`).sort(), ['Egress shop/eg|E2004', 'Service shop/web|E3000']);
  store.apply(up(slice('shop', 'web', ['10.0.0.1'])));
  t.same(store.errors().map((e) => e.code), ['E2004']);
  t.same(Object.fromEntries(store.errorCounts()), { E2004: 1, E3000: 1 }, 'each raise is counted by code');
});

t.test('CIDRs (E2002): Egress ipAddresses, Isolation, IngressBackend IPRange sources', async (t) => {
  const eg = obj(POLICY, 'Egress', 'eg', { sources: [{ kind: 'ServiceAccount', name: 'a', namespace: 'shop' }], ipAddresses: ['10.0.0.0/8', '10.0.0.0/33', '10.0.0.1', 'fd00::/8'], ports: [{ number: 443, protocol: 'tcp' }] });
  const e = errorsOf(eg).raw;
  t.same(e.map((x) => `${x.field}|${x.code}`), ['spec.ipAddresses[1]|E2002', 'spec.ipAddresses[2]|E2002']);
  t.match(e[0]?.reason, /must be a CIDR in RFC 4632 notation/);
  const iso = { apiVersion: POLICY, kind: 'Isolation', metadata: { name: 'iso' }, spec: { cidr: ['300.1.1.0/24'] } };
  t.same(errorsOf(iso).raw.map((x) => `${x.field}|${x.code}`), ['spec.cidr[0]|E2002']);
  const ib = obj(POLICY, 'IngressBackend', 'ib', {
    backends: [{ name: 'web', port: { number: 80, protocol: 'http' } }],
    sources: [{ kind: 'IPRange', name: '10.0.0.0/99' }, { kind: 'Service', name: 'ingress' }, { kind: 'Pod', name: 'x' }],
  });
  t.same(errorsOf(ib).errors, [
    'spec.sources[2].kind||Unsupported value: "Pod": supported values: "Service", "IPRange", "AuthenticatedPrincipal"',
  ], 'schema errors first');
  (ib.spec as { sources: unknown[] }).sources.pop();
  t.same(errorsOf(ib).errors, [
    'spec.sources[0].name|E2002|Invalid value: "10.0.0.0/99": IPRange source must be a CIDR in RFC 4632 notation such as "192.0.2.0/24"',
    'spec.sources[1].namespace||Required value: a Service source needs a namespace',
  ]);
  const noPort = obj(POLICY, 'IngressBackend', 'ib', { backends: [{ name: 'web', port: { protocol: 'http' } }], sources: [{ kind: 'IPRange', name: '10.0.0.0/8' }] });
  t.same(errorsOf(noPort).errors, ['spec.backends[0].port.number||Required value']);
});

t.test('UpstreamTrafficSetting: host FQDN in its namespace, rate-limit unit, responseStatusCode 400-599', async (t) => {
  const uts = (spec: Record<string, unknown>) => obj(POLICY, 'UpstreamTrafficSetting', 'u', { host: 'web.shop.svc.cluster.local', ...spec });
  t.same(errorsOf(uts({})).errors, []);
  t.same(errorsOf(uts({ host: 'web.other.svc.cluster.local' })).errors, [
    'spec.host||Invalid value: "web.other.svc.cluster.local": must be the FQDN of a service in namespace "shop", e.g. <service>.shop.svc.cluster.local',
  ]);
  t.same(errorsOf(uts({ rateLimit: { local: { http: { requests: 10, unit: 'day', responseStatusCode: 200 } } } })).errors, [
    'spec.rateLimit.local.http.unit||Unsupported value: "day": supported values: "second", "minute", "hour"',
    'spec.rateLimit.local.http.responseStatusCode||Invalid value: 200: spec.rateLimit.local.http.responseStatusCode in body should be greater than or equal to 400',
  ]);
  t.same(errorsOf(uts({ httpRoutes: [{ path: '/x', rateLimit: { local: { requests: 1, unit: 'minute', responseStatusCode: 600 } } }] })).errors, [
    'spec.httpRoutes[0].rateLimit.local.responseStatusCode||Invalid value: 600: spec.httpRoutes[0].rateLimit.local.responseStatusCode in body should be less than or equal to 599',
  ]);
});

t.test('Retry durations are Go durations', async (t) => {
  const retry = (policy: Record<string, unknown>) =>
    obj(POLICY, 'Retry', 'r', {
      source: { kind: 'ServiceAccount', name: 'a', namespace: 'shop' },
      destinations: [{ kind: 'Service', name: 'web', namespace: 'shop' }],
      retryPolicy: { retryOn: '5xx', ...policy },
    });
  t.same(errorsOf(retry({ perTryTimeout: '1.5s', retryBackoffBaseInterval: '1m30s', numRetries: 3 })).errors, []);
  t.same(errorsOf(retry({ perTryTimeout: '5 seconds' })).errors, [
    'spec.retryPolicy.perTryTimeout||Invalid value: "5 seconds": spec.retryPolicy.perTryTimeout in body must be a duration such as "300ms", "1.5h" or "2h45m"',
  ]);
});

t.test('an invalid object leaves the rest of the batch and its last good version in place', async (t) => {
  const store = createModelStore();
  store.apply(up(ns('shop'), split('shop', 's', 'web', [['web-v1', 10]])));
  const r = store.apply(up(split('shop', 's', 'web', [['web-v1', -1]]), service('shop', 'api'), slice('shop', 'api', ['10.0.0.9'])));
  t.equal(r.errors.length, 1);
  t.same(r.changes.map((c) => c.key), ['Service/shop/api', 'EndpointSlice/shop/api-abc']);
  t.equal((store.get('TrafficSplit', 'shop', 's')?.spec as { backends: { weight: number }[] }).backends[0]?.weight, 10);
  t.equal(store.errors().length, 1);
  store.apply([{ type: 'delete', object: split('shop', 's', 'web', []) }]);
  t.same(store.errors(), [], 'deleting the object clears its error');
});

t.test('unknown kinds and bad metadata are refused', async (t) => {
  const store = createModelStore();
  const r = store.apply(up({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' } }, obj('v1', 'Service', 'Bad_Name', {})));
  t.same(r.errors.map((e) => `${e.field}|${e.reason}`), ['kind|unknown kind "Deployment"', 'metadata.name|Invalid value: "Bad_Name": must be a lowercase RFC 1123 subdomain']);
  t.same(store.errors().map((e) => e.object), ['Deployment x/d', 'Service shop/Bad_Name'], 'listed until deleted or fixed');
  store.apply([{ type: 'delete', object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' } } }]);
  t.same(store.errors().map((e) => e.object), ['Service shop/Bad_Name']);
});
