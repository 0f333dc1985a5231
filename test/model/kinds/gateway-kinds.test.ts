import t from 'tap';
import { apiKindOf, resolveKind } from '../../../src/model/kinds/kind-list.js';
import { createModelStore } from '../../../src/model/store.js';
import type { MeshObject } from '../../../src/model/types.js';
import { ns, up } from '../fixtures/objects.js';

const gateway = (name: string, listeners: unknown[], extra: Partial<MeshObject['metadata']> = {}): MeshObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'a', ...extra },
  spec: { gatewayClassName: 'fsm', listeners },
});

t.test('TCPRoute and UDPRoute resolve by group: SMI keeps the bare name, the Gateway API one is qualified', async (t) => {
  t.equal(resolveKind('specs.smi-spec.io/v1alpha4', 'TCPRoute')?.kind, 'TCPRoute');
  t.equal(resolveKind('gateway.networking.k8s.io/v1alpha2', 'TCPRoute')?.kind, 'TCPRoute.gateway.networking.k8s.io');
  t.equal(resolveKind('gateway.networking.k8s.io/v1alpha2', 'UDPRoute')?.kind, 'UDPRoute.gateway.networking.k8s.io');
  t.equal(resolveKind('gateway.networking.k8s.io/v1alpha2', 'TCPRoute.gateway.networking.k8s.io')?.kind, 'TCPRoute.gateway.networking.k8s.io', 'a qualified name resolves to itself');
  t.equal(resolveKind('example.com/v1', 'TCPRoute')?.kind, 'TCPRoute', 'any other group answers the unqualified kind');
  t.equal(resolveKind('gateway.networking.k8s.io/v1beta1', 'HTTPRoute')?.kind, 'HTTPRoute', 'v1beta1 is served');
  t.equal(apiKindOf('TCPRoute.gateway.networking.k8s.io'), 'TCPRoute');
  t.equal(apiKindOf('HTTPRoute'), 'HTTPRoute');

  const store = createModelStore();
  const { errors } = store.apply(
    up(
      ns('a'),
      { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: 'r', namespace: 'a' }, spec: { matches: { ports: [8080] } } },
      {
        apiVersion: 'gateway.networking.k8s.io/v1alpha2',
        kind: 'TCPRoute',
        metadata: { name: 'r', namespace: 'a' },
        spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'db', port: 5432 }] }] },
      },
    ),
  );
  t.same(errors, []);
  t.same((store.get('TCPRoute', 'a', 'r')?.spec as { matches: unknown }).matches, { ports: [8080] }, 'the SMI route');
  const gw = store.get('TCPRoute.gateway.networking.k8s.io', 'a', 'r');
  t.equal(gw?.apiVersion, 'gateway.networking.k8s.io/v1alpha2');
  t.ok((gw?.spec as { parentRefs?: unknown }).parentRefs, 'the Gateway API route, under its own key');
});

t.test('a Gateway keeps metadata.generation and accepts v1beta1', async (t) => {
  const store = createModelStore();
  store.apply(up(ns('a'), { ...gateway('gw', [{ name: 'http', port: 80, protocol: 'HTTP' }], { generation: 3 }), apiVersion: 'gateway.networking.k8s.io/v1beta1' }));
  t.equal(store.get('Gateway', 'a', 'gw')?.metadata.generation, 3);
  t.same(store.errors(), []);
});

t.test('the CRDs\' validation rules refuse bad Gateway API objects with field and reason', async (t) => {
  const store = createModelStore();
  const { errors } = store.apply(
    up(
      ns('a'),
      gateway('dup', [
        { name: 'web', port: 80, protocol: 'HTTP' },
        { name: 'web', port: 443, protocol: 'HTTPS' },
      ]),
      gateway('tcp', [{ name: 'db', port: 5432, protocol: 'TCP', hostname: 'db.example.com' }]),
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'both', namespace: 'a' },
        spec: {
          rules: [
            {
              matches: [{ path: { type: 'Exact', value: 'no-slash' } }],
              filters: [
                { type: 'RequestRedirect', requestRedirect: { statusCode: 307 } },
                { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } } },
                { type: 'RequestHeaderModifier' },
              ],
            },
          ],
        },
      },
      {
        apiVersion: 'gateway.flomesh.io/v1alpha1',
        kind: 'RateLimitPolicy',
        metadata: { name: 'rl', namespace: 'a' },
        spec: { targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }, hostnames: [{ hostname: 'x.example.com', config: { requests: 1, statTimeWindow: 1 } }] },
      },
      {
        apiVersion: 'gateway.flomesh.io/v1alpha1',
        kind: 'SessionStickyPolicy',
        metadata: { name: 'ss', namespace: 'a' },
        spec: { targetRef: { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r' }, ports: [{ port: 80 }] },
      },
    ),
  );
  const lines = errors.map((e) => `${e.object}: ${e.field}: ${e.reason}`);
  t.match(lines, [
    /^Gateway a\/dup: spec\.listeners\[1\]\.name: Duplicate value: "web"/,
    /^Gateway a\/dup: spec\.listeners\[1\]\.tls: Required value: tls must be specified for protocol HTTPS/,
    /^Gateway a\/tcp: spec\.listeners\[0\]\.hostname: Forbidden/,
    /^HTTPRoute a\/both: spec\.rules\[0\]\.matches\[0\]\.path\.value: Invalid value: "no-slash"/,
    /^HTTPRoute a\/both: spec\.rules\[0\]\.filters\[2\]\.requestHeaderModifier: Required value/,
    /^HTTPRoute a\/both: spec\.rules\[0\]\.filters: Invalid value: may specify either RequestRedirect or URLRewrite/,
    /^HTTPRoute a\/both: spec\.rules\[0\]\.filters\[0\]\.requestRedirect\.statusCode: Unsupported value: 307/,
    /^HTTPRoute a\/both: spec\.rules\[0\]\.filters\[1\]\.urlRewrite\.path: Invalid value: ReplacePrefixMatch needs every match/,
    /^RateLimitPolicy a\/rl: spec\.hostnames: Forbidden: not allowed when targetRef is a Gateway/,
    /^RateLimitPolicy a\/rl: spec: Required value: a Gateway target needs at least one of spec\.ports/,
    /^SessionStickyPolicy a\/ss: spec\.targetRef: Unsupported value: "gateway\.networking\.k8s\.io\/HTTPRoute"/,
  ]);
  t.equal(lines.length, 11, lines.join('\n'));
  t.equal(store.get('Gateway', 'a', 'dup'), undefined, 'refused objects are not kept');
});

t.test('HTTPRoute path values follow the CRD: no empty or dot segments, no escaped slash, only path characters', async (t) => {
  const route = (name: string, type: string, value: string): MeshObject => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'a' },
    spec: { rules: [{ matches: [{ path: { type, value } }] }] },
  });
  const refused: [string, string, RegExp][] = [
    ['double', '/a//b', /must not contain '\/\/'/],
    ['dot', '/a/./b', /must not contain '\/\.\/'/],
    ['dotdot', '/a/../b', /must not contain '\/\.\.\/'/],
    ['escaped', '/a%2Fb', /must not contain '%2f' or '%2F'/],
    ['escaped-lower', '/a%2fb', /must not contain '%2f'/],
    ['fragment', '/a#b', /must not contain '#'/],
    ['ends-dotdot', '/a/..', /must not end with '\/\.\.'/],
    ['ends-dot', '/a/.', /must not end with '\/\.'/],
    ['space', '/a b', /must only contain valid characters/],
    ['bad-escape', '/a%zz', /must only contain valid characters/],
  ];
  const store = createModelStore();
  const { errors } = store.apply(
    up(
      ns('a'),
      ...refused.map(([name, value]) => route(name, 'PathPrefix', value)),
      route('exact-double', 'Exact', '//x'),
      route('ok', 'PathPrefix', "/a.b/c~d/%20/-_!$&'()*+,;=:@"),
      route('regex', 'RegularExpression', '/a//b/.*'),
    ),
  );
  const byName = new Map(errors.map((e) => [e.object, e]));
  for (const [name, value, reason] of refused) {
    const e = byName.get(`HTTPRoute a/${name}`);
    t.equal(e?.field, 'spec.rules[0].matches[0].path.value', name);
    t.match(e?.reason, reason, name);
    t.match(e?.reason, `"${value}"`, `${name} names the value`);
  }
  t.ok(byName.has('HTTPRoute a/exact-double'), 'Exact paths follow the same rules');
  t.equal(errors.length, refused.length + 1, errors.map((e) => `${e.object}: ${e.reason}`).join('\n'));
  t.ok(store.get('HTTPRoute', 'a', 'ok'), 'every path character the CRD allows is accepted');
  t.ok(store.get('HTTPRoute', 'a', 'regex'), 'a regular expression is not a path and is not held to these rules');
});

t.test('two listeners with conflicting protocols on one port are admitted: the conflict is a status condition', async (t) => {
  const store = createModelStore();
  const { errors } = store.apply(
    up(
      ns('a'),
      gateway('gw', [
        { name: 'web', port: 80, protocol: 'HTTP' },
        { name: 'raw', port: 80, protocol: 'TCP' },
      ]),
    ),
  );
  t.same(errors, []);
  t.ok(store.get('Gateway', 'a', 'gw'));
});
