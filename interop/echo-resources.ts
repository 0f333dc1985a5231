import { TypeUrl } from '../src/index.js';

/**
 * The xDS resources (proto3 JSON, as files hold them) that route the gRPC
 * target `xds:///echo` to the echo backends: LDS (api_listener with an HTTP
 * connection manager using RDS over ADS) → RDS → CDS (EDS over ADS) → EDS.
 */

export const TARGET = 'echo';
const ROUTE_NAME = 'echo-route';
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

type Json = Record<string, unknown>;

function listenerWith(configSource: Json): Json {
  return {
    '@type': TypeUrl.Listener,
    name: TARGET,
    api_listener: {
      api_listener: {
        '@type': HCM,
        stat_prefix: TARGET,
        rds: { route_config_name: ROUTE_NAME, config_source: configSource },
        http_filters: [{ name: 'router', typed_config: { '@type': ROUTER } }],
      },
    },
  };
}

export const listener = (): Json => listenerWith({ ads: {}, resource_api_version: 'V3' });

/**
 * The listener as gRPC's own examples write it, without `stat_prefix`: it
 * breaks a protoc-gen-validate rule of the Envoy API that gRPC ignores.
 */
export function listenerWithoutStatPrefix(): Json {
  const l = listener() as { api_listener: { api_listener: Json } };
  const { stat_prefix: _, ...hcm } = l.api_listener.api_listener;
  return { ...l, api_listener: { api_listener: hcm } };
}

/**
 * A listener that is valid Envoy config (and passes the loader's checks) but
 * that gRPC clients reject: gRPC fetches RDS only over ADS (gRFC A27).
 */
export const listenerRejectedByGrpc = (): Json =>
  listenerWith({ api_config_source: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'xds' } }] } });

/** The route: all traffic to one cluster, or split by weight. */
export function route(target: string | Record<string, number>): Json {
  const action =
    typeof target === 'string'
      ? { cluster: target }
      : { weighted_clusters: { clusters: Object.entries(target).map(([name, weight]) => ({ name, weight })) } };
  return {
    '@type': TypeUrl.Route,
    name: ROUTE_NAME,
    virtual_hosts: [{ name: 'echo', domains: ['*'], routes: [{ match: { prefix: '' }, route: action }] }],
  };
}

export const cluster = (name: string): Json => ({
  '@type': TypeUrl.Cluster,
  name,
  type: 'EDS',
  eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
  lb_policy: 'ROUND_ROBIN',
});

/** gRPC ignores localities without a weight, so one is set. */
export const endpoints = (name: string, port: number): Json => ({
  '@type': TypeUrl.Endpoint,
  cluster_name: name,
  endpoints: [
    {
      locality: { region: 'interop' },
      load_balancing_weight: 1,
      lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } }],
    },
  ],
});

/** The gRPC xDS bootstrap (GRPC_XDS_BOOTSTRAP_CONFIG) pointing a client at `serverUri`. */
export function bootstrap(serverUri: string, nodeId: string): string {
  return JSON.stringify({
    xds_servers: [{ server_uri: serverUri, channel_creds: [{ type: 'insecure' }], server_features: [] }],
    node: { id: nodeId, cluster: 'interop', locality: { region: 'interop' } },
  });
}
