import t from 'tap';
import { TypeUrl } from '../../../cache/types.js';
import { decodeResource, encodeResource, encodeResourceWithWarnings, ResourceError, validateResource } from '../../../server/codec/resource-codec.js';
import { fromProto3Json } from '../../../server/codec/proto3-json.js';
import { typeForUrl } from '../../../server/codec/protos.js';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

const hcm = (routeSpecifier: Record<string, unknown>) => ({
  '@type': HCM,
  stat_prefix: 'in',
  ...routeSpecifier,
  http_filters: [{ name: 'router', typed_config: { '@type': ROUTER } }],
});

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ResourceError) return err.issues.map((i) => `${i.path}: ${i.reason}`);
    throw err;
  }
  return [];
};

t.test('an EDS cluster references its ClusterLoadAssignment (service_name, else the cluster name)', async (t) => {
  const named = encodeResource({ '@type': TypeUrl.Cluster, name: 'c1', type: 'EDS', eds_cluster_config: { eds_config: { ads: {} }, service_name: 'svc' } });
  t.equal(named.name, 'c1');
  t.same(named.references, [{ typeUrl: TypeUrl.Endpoint, name: 'svc' }]);
  const unnamed = encodeResource({ '@type': TypeUrl.Cluster, name: 'c2', type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } } });
  t.same(unnamed.references, [{ typeUrl: TypeUrl.Endpoint, name: 'c2' }]);
  const logical = encodeResource({ '@type': TypeUrl.Cluster, name: 'c3', type: 'LOGICAL_DNS' });
  t.same(logical.references, []);
});

t.test('listeners reference the RDS route of api_listener and filter-chain HCMs', async (t) => {
  const rds = (name: string) => ({ rds: { route_config_name: name, config_source: { ads: {} } } });
  const api = encodeResource({ '@type': TypeUrl.Listener, name: 'api', api_listener: { api_listener: hcm(rds('r1')) } });
  t.same(api.references, [{ typeUrl: TypeUrl.Route, name: 'r1' }]);
  const chains = encodeResource({
    '@type': TypeUrl.Listener,
    name: 'tcp',
    address: { socket_address: { address: '0.0.0.0', port_value: 80 } },
    filter_chains: [{ filters: [{ name: 'hcm', typed_config: hcm(rds('r2')) }] }, { filters: [{ name: 'hcm', typed_config: hcm(rds('r2')) }] }],
    default_filter_chain: { filters: [{ name: 'hcm', typed_config: hcm(rds('r3')) }] },
  });
  t.same(chains.references.map((r) => r.name), ['r2', 'r3']);
  const inline = encodeResource({ '@type': TypeUrl.Listener, name: 'inline', api_listener: { api_listener: hcm({ route_config: { name: 'x' } }) } });
  t.same(inline.references, []);
});

t.test('ClusterLoadAssignment is named by cluster_name; bytes and version are stable', async (t) => {
  const cla = { '@type': TypeUrl.Endpoint, cluster_name: 'echo', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 1 } } } }] }] };
  const a = encodeResource(cla);
  const b = encodeResource(JSON.parse(JSON.stringify(cla)));
  t.equal(a.name, 'echo');
  t.equal(a.version, b.version);
  t.match(a.version, /^[0-9a-f]{16}$/);
  t.same(decodeResource(a.typeUrl, a.bytes), cla);
  const c = encodeResource({ ...cla, endpoints: [] });
  t.not(c.version, a.version);
});

t.test('an existing protobufjs message is accepted without a type URL', async (t) => {
  const type = typeForUrl(TypeUrl.Route);
  if (!type) throw new Error('no route type');
  const msg = fromProto3Json(type, { name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'] }] });
  const res = encodeResource(msg);
  t.equal(res.typeUrl, TypeUrl.Route);
  t.equal(res.name, 'r');
  t.same(decodeResource(TypeUrl.Route, res.bytes), { '@type': TypeUrl.Route, name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'] }] });
});

t.test('semantic validation names the field', async (t) => {
  t.same(issuesOf(() => encodeResource({ '@type': TypeUrl.Endpoint })), ['cluster_name: required (the resource name)']);
  t.same(issuesOf(() => encodeResource({ name: 'x' })), ['@type: required (the resource type URL)']);
  t.same(
    issuesOf(() => encodeResource({ '@type': TypeUrl.Listener, name: 'l', api_listener: { api_listener: { '@type': HCM, stat_prefix: 's' } } })),
    ['api_listener.api_listener.route_specifier: one of rds, route_config, scoped_routes is required'],
  );
  t.same(
    issuesOf(() => encodeResource({ '@type': TypeUrl.Listener, name: 'l', api_listener: { api_listener: hcm({ rds: { config_source: { ads: {} } } }) } })),
    ['api_listener.api_listener.rds.route_config_name: required when rds is used'],
  );
  t.same(issuesOf(() => encodeResource({ '@type': TypeUrl.Route, name: 'r', virtual_hosts: [{ name: 'v', domains: [] }] })), ['virtual_hosts[0].domains: must have at least 1 item(s)']);
  t.same(issuesOf(() => encodeResource({ '@type': TypeUrl.Cluster, name: 'c', type: 'EDS', eds_cluster_config: {} }, TypeUrl.Listener)), [
    '@type: expected "type.googleapis.com/envoy.config.listener.v3.Listener", got "type.googleapis.com/envoy.config.cluster.v3.Cluster"',
    'type: unknown field',
    'eds_cluster_config: unknown field',
  ]);
});

t.test('numeric bounds apply to the value of wrapper-typed fields', async (t) => {
  const cla = (weight: number) => ({
    '@type': TypeUrl.Endpoint,
    cluster_name: 'c',
    endpoints: [{ load_balancing_weight: weight, lb_endpoints: [] }],
  });
  t.same(issuesOf(() => encodeResource(cla(1))), []);
  t.same(issuesOf(() => encodeResource(cla(0))), ['endpoints[0].load_balancing_weight: must be >= 1, got 0']);
});

t.test('validateResource returns issues instead of throwing', async (t) => {
  const type = typeForUrl(TypeUrl.Cluster);
  if (!type) throw new Error('no cluster type');
  t.same(validateResource(TypeUrl.Cluster, type.create({})), [{ path: 'name', reason: 'required (the resource name)' }]);
  t.same(validateResource(TypeUrl.Cluster, type.create({ name: 'ok' })), []);
  t.same(validateResource('type.googleapis.com/nope.Nope', {}), [{ path: '@type', reason: 'unknown type type.googleapis.com/nope.Nope' }]);
});

t.test('encodeResourceWithWarnings serves what breaks only protoc-gen-validate rules, naming each rule; what cannot be encoded still throws', async (t) => {
  const hcm = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    rds: { route_config_name: 'r', config_source: { ads: {} } },
    http_filters: [{ name: 'router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
  };
  const listener = (api: Record<string, unknown>) => ({ '@type': TypeUrl.Listener, name: 'l', api_listener: { api_listener: api } });
  const warned = encodeResourceWithWarnings(listener(hcm));
  t.equal(warned.resource.name, 'l');
  t.same(warned.resource.references, [{ typeUrl: TypeUrl.Route, name: 'r' }], 'encoded as usual');
  t.same(warned.warnings, [{ path: 'api_listener.api_listener.stat_prefix', reason: 'required (must not be empty)', rule: 'string.min_len = 1' }]);
  t.same(issuesOf(() => encodeResource(listener(hcm))), ['api_listener.api_listener.stat_prefix: required (must not be empty)'], 'encodeResource still refuses it');
  const cluster = { '@type': TypeUrl.Cluster, name: 'c', type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } }, lb_policy: 99 };
  t.same(encodeResourceWithWarnings(cluster).warnings, [{ path: 'lb_policy', reason: '99 is not a defined enum value', rule: 'enum.defined_only = true' }]);
  t.same(encodeResourceWithWarnings(listener({ ...hcm, stat_prefix: 's' })).warnings, [], 'no warnings for a valid resource');
  const refused: [string, unknown][] = [
    ['an unknown field', listener({ ...hcm, stat_prefix: 's', statprefix: 'typo' })],
    ['a wrong type', listener({ ...hcm, stat_prefix: 's', http_filters: 'router' })],
    ['an undefined enum name', listener({ ...hcm, stat_prefix: 's', codec_type: 'NOPE' })],
    ['no name', { '@type': TypeUrl.Cluster, type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } } }],
    ['an RDS reference without a route name', listener({ ...hcm, stat_prefix: 's', rds: { config_source: { ads: {} } } })],
  ];
  for (const [what, input] of refused) t.throws(() => encodeResourceWithWarnings(input), ResourceError, what);
});

t.test('ResourceError names the resource when the input has a name', async (t) => {
  t.throws(() => encodeResource({ '@type': TypeUrl.Cluster, name: 'web', lb_policy: 'FASTEST' }), {
    name: 'ResourceError',
    resourceName: 'web',
    message: /^invalid envoy\.config\.cluster\.v3\.Cluster "web": lb_policy: unknown/,
  });
  t.throws(() => encodeResource({ '@type': TypeUrl.Endpoint, cluster_name: 'web', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '::1', port_value: 70000 } } } }] }] }), {
    resourceName: 'web',
    message: /^invalid envoy\.config\.endpoint\.v3\.ClusterLoadAssignment "web": endpoints\[0\]/,
  });
  t.throws(() => encodeResource({ '@type': TypeUrl.Endpoint, clusterName: 'web', bogus: 1 }), { resourceName: 'web', message: /"web": bogus: unknown field/ });
  t.throws(() => encodeResource({ '@type': TypeUrl.Cluster, type: 'EDS' }), { resourceName: undefined, message: /^invalid envoy\.config\.cluster\.v3\.Cluster: name: required/ });
});
