import { TypeUrl } from '../../cache/types.js';

/** Resource builders shared by the xds-files tests (proto3 JSON, as files hold them). */
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

export const listener = (name: string, route: string) => ({
  '@type': TypeUrl.Listener,
  name,
  api_listener: {
    api_listener: {
      '@type': HCM,
      stat_prefix: name,
      rds: { route_config_name: route, config_source: { ads: {} } },
      http_filters: [{ name: 'router', typed_config: { '@type': ROUTER } }],
    },
  },
});

export const route = (name: string, cluster: string) => ({
  '@type': TypeUrl.Route,
  name,
  virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ match: { prefix: '' }, route: { cluster } }] }],
});

export const cluster = (name: string) => ({ '@type': TypeUrl.Cluster, name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } } });

export const endpoints = (name: string, port: number) => ({
  '@type': TypeUrl.Endpoint,
  cluster_name: name,
  endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } }] }],
});
