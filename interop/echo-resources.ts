import { apiListener, clusterLoadAssignment, edsCluster, routeConfiguration, TypeUrl, type Resource } from '../src/index.js';
import { decodeResource, encodeResourceWithWarnings } from '../server/codec/resource-codec.js';

/**
 * The xDS resources that route the gRPC target `xds:///echo` to the echo
 * backends, built with the library's builders: LDS (an API listener whose
 * HTTP connection manager uses RDS over ADS) → RDS → CDS (EDS over ADS) → EDS.
 */

export const TARGET = 'echo';
const ROUTE_NAME = 'echo-route';

export const listener = (): Resource => apiListener({ name: TARGET, routeConfigName: ROUTE_NAME });

/**
 * The listener as gRPC's own examples write it, without `stat_prefix`: it
 * breaks a protoc-gen-validate rule of the Envoy API that gRPC ignores.
 */
export function listenerWithoutStatPrefix(): Resource {
  const l = decodeResource(TypeUrl.Listener, listener().bytes) as { api_listener: { api_listener: Record<string, unknown> } };
  const { stat_prefix: _, ...hcm } = l.api_listener.api_listener;
  return encodeResourceWithWarnings({ ...l, api_listener: { api_listener: hcm } }).resource;
}

/**
 * A listener that is valid Envoy config (and passes the loader's checks) but
 * that gRPC clients reject: gRPC fetches RDS only over ADS (gRFC A27).
 */
export const listenerRejectedByGrpc = (): Resource =>
  apiListener({
    name: TARGET,
    routeConfigName: ROUTE_NAME,
    rdsConfigSource: { api_config_source: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'xds' } }] } },
  });

/** The route: all traffic to one cluster, or split by weight. */
export function route(target: string | Record<string, number>): Resource {
  return routeConfiguration({
    name: ROUTE_NAME,
    virtualHosts: [
      {
        name: 'echo',
        routes: [
          typeof target === 'string' ? { cluster: target } : { weightedClusters: Object.entries(target).map(([name, weight]) => ({ name, weight })) },
        ],
      },
    ],
  });
}

export const cluster = (name: string): Resource => edsCluster({ name });

export const endpoints = (name: string, port: number): Resource =>
  clusterLoadAssignment({ clusterName: name, localities: [{ region: 'interop', endpoints: [{ address: '127.0.0.1', port }] }] });

/** The gRPC xDS bootstrap (GRPC_XDS_BOOTSTRAP_CONFIG) pointing a client at `serverUri`. */
export function bootstrap(serverUri: string, nodeId: string): string {
  return JSON.stringify({
    xds_servers: [{ server_uri: serverUri, channel_creds: [{ type: 'insecure' }], server_features: [] }],
    node: { id: nodeId, cluster: 'interop', locality: { region: 'interop' } },
  });
}
