import t from 'tap';
import { createSnapshot } from '../../../cache/snapshot.js';
import { TypeUrl } from '../../../cache/types.js';
import { decodeResource } from '../../../server/codec/resource-codec.js';
import { apiListener } from '../../../server/resources/api-listener.js';
import { grpcRejection } from '../../support/grpc-xds-validation.js';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } };

t.test('an API listener: HttpConnectionManager with RDS over ADS and the router filter', async (t) => {
  const listener = apiListener({ name: 'echo', routeConfigName: 'echo-routes' });
  t.equal(listener.typeUrl, TypeUrl.Listener);
  t.equal(listener.name, 'echo');
  t.same(decodeResource(listener.typeUrl, listener.bytes), {
    '@type': TypeUrl.Listener,
    name: 'echo',
    api_listener: {
      api_listener: {
        '@type': HCM,
        stat_prefix: 'echo',
        rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: 'echo-routes' },
        http_filters: [ROUTER],
      },
    },
  });
  t.same(listener.references, [{ typeUrl: TypeUrl.Route, name: 'echo-routes' }], 'the route configuration is a reference consistency checks follow');
  t.equal(grpcRejection(listener), undefined, "gRPC's own validation accepts it");
  const issues = createSnapshot({ resources: { [TypeUrl.Listener]: [listener] } }).consistencyErrors();
  t.same(issues.map((i) => `${i.typeUrl} ${i.name}`), [`${TypeUrl.Route} echo-routes`], 'a snapshot without the route names it as missing');
});

t.test('stat prefix, filters before the router, and other config sources', async (t) => {
  const self = apiListener({ name: 'l', routeConfigName: 'r', statPrefix: 'inbound', rdsConfigSource: 'self', httpFilters: [ROUTER] });
  const hcm = (r: typeof self) => (decodeResource(r.typeUrl, r.bytes) as { api_listener: { api_listener: Record<string, unknown> } }).api_listener.api_listener;
  t.equal(hcm(self).stat_prefix, 'inbound');
  t.same((hcm(self).rds as Record<string, unknown>).config_source, { self: {}, resource_api_version: 'V3' });
  t.same(hcm(self).http_filters, [ROUTER, ROUTER], 'given filters come first; the router is always last');
  const grpcSource = { api_config_source: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'xds' } }] } };
  const custom = apiListener({ name: 'l', routeConfigName: 'r', rdsConfigSource: grpcSource });
  t.same((hcm(custom).rds as Record<string, unknown>).config_source, grpcSource, 'a ConfigSource in proto3 JSON is used as given');
  t.match(grpcRejection(custom), /config_source/, 'which gRPC refuses: it takes RDS over ADS only (the validation can fail)');
});

t.test('the result is an immutable Resource; equal options give equal versions', async (t) => {
  const a = apiListener({ name: 'echo', routeConfigName: 'r' });
  const b = apiListener({ name: 'echo', routeConfigName: 'r' });
  const c = apiListener({ name: 'echo', routeConfigName: 'r2' });
  t.equal(a.version, b.version);
  t.not(a.version, c.version);
  t.ok(Object.isFrozen(a.references));
  t.throws(() => {
    (a as { name: string }).name = 'other';
  }, TypeError);
  t.equal(a.name, 'echo');
});

t.test('a listener without a name is refused, naming the field', async (t) => {
  t.throws(() => apiListener({ name: '', routeConfigName: 'r' }), { name: 'ResourceError', message: /^invalid envoy\.config\.listener\.v3\.Listener: name: required/ });
});
