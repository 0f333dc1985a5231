/**
 * Hostname-level policies of routes sharing a hostname: on the host when
 * every route agrees; otherwise on the matches of the route each is attached
 * to (FSM dropped the second route instead).
 */
import t from 'tap';
import type { MeshObject } from '../../../src/model/types.js';
import { fixture, generateAll, storeOf } from './helpers.js';

const gateway: MeshObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'gw' }, spec: { gatewayClassName: 'fsm-gateway-cls', listeners: [{ name: 'web', port: 80, protocol: 'HTTP' }] } };
const route = (name: string, path: string): MeshObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'gw' },
  spec: { parentRefs: [{ name: 'g' }], hostnames: ['shared.example.com'], rules: [{ matches: [{ path: { value: path } }], backendRefs: [{ name: 'httpbin', port: 8080 }] }] },
});
const limit = (name: string, routeName: string, requests: number): MeshObject => ({
  apiVersion: 'gateway.flomesh.io/v1alpha1',
  kind: 'RateLimitPolicy',
  metadata: { name, namespace: 'gw' },
  spec: { targetRef: { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: routeName }, hostnames: [{ hostname: 'shared.example.com', config: { requests, statTimeWindow: 1 } }] },
});

function host(objects: MeshObject[]) {
  const cfg = JSON.parse(generateAll(storeOf([...fixture('base.yaml'), gateway, ...objects])).get('gw/g')?.configJson ?? '{}');
  return cfg.RouteRules['80']['shared.example.com'];
}

t.test('one route with a hostname policy: on the host, as FSM has it', async (t) => {
  const h = host([route('one', '/one'), limit('l1', 'one', 5)]);
  t.equal(h.RateLimit.Requests, 5);
  t.notOk(h.Matches[0].RateLimit);
});

t.test('two routes, the same policy values: on the host', async (t) => {
  const h = host([route('one', '/one'), route('two', '/two'), limit('l1', 'one', 5), limit('l2', 'two', 5)]);
  t.equal(h.RateLimit.Requests, 5);
  t.same(h.Matches.map((m: { Path: { Path: string } }) => m.Path.Path), ['/one', '/two']);
});

t.test('two routes, different policies (or one without): each on its own route\'s matches; both routes kept', async (t) => {
  const h = host([route('one', '/one'), route('two', '/two'), limit('l1', 'one', 5)]);
  t.notOk(h.RateLimit, 'not on the host: it would limit route two too');
  t.same(h.Matches.map((m: { Path: { Path: string }; RateLimit?: { Requests: number } }) => [m.Path.Path, m.RateLimit?.Requests]), [['/one', 5], ['/two', undefined]]);
});
