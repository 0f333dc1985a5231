import type { Resource } from '../../cache/resource.js';
import { TypeUrl } from '../../cache/types.js';
import { encodeResource, ResourceError } from '../codec/resource-codec.js';

/** `envoy.config.core.v3.HealthStatus`; gRPC sends traffic to HEALTHY, UNKNOWN (and DEGRADED) endpoints only. */
export type HealthStatus = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'TIMEOUT' | 'DEGRADED';

export interface EndpointOptions {
  /** An IP address (or a host name, for clients that resolve it). */
  readonly address: string;
  readonly port: number;
  /** Load-balancing weight within the locality, at least 1; none: equal. */
  readonly weight?: number;
  readonly healthStatus?: HealthStatus;
}

export interface LocalityOptions {
  readonly region?: string;
  readonly zone?: string;
  readonly subZone?: string;
  /** At least 1; default 1 (gRPC ignores localities without a weight). */
  readonly weight?: number;
  /** 0 (the default) is the highest priority. */
  readonly priority?: number;
  readonly endpoints: readonly EndpointOptions[];
}

/** The endpoints of one cluster: a flat list (one unnamed locality of weight 1), or localities. */
export type ClusterLoadAssignmentOptions =
  | { readonly clusterName: string; readonly endpoints: readonly EndpointOptions[]; readonly localities?: never }
  | { readonly clusterName: string; readonly localities: readonly LocalityOptions[]; readonly endpoints?: never };

/**
 * A ClusterLoadAssignment (EDS), named by `clusterName` (the EDS cluster's
 * name or its service name). Throws ResourceError when both or neither of
 * `endpoints` and `localities` are given.
 */
export function clusterLoadAssignment(options: ClusterLoadAssignmentOptions): Resource {
  if ((options.endpoints === undefined) === (options.localities === undefined)) {
    throw new ResourceError(TypeUrl.Endpoint, [{ path: 'endpoints', reason: 'give exactly one of endpoints and localities' }], options.clusterName);
  }
  const localities: readonly LocalityOptions[] = options.localities ?? [{ endpoints: options.endpoints ?? [] }];
  return encodeResource({
    '@type': TypeUrl.Endpoint,
    cluster_name: options.clusterName,
    endpoints: localities.map((l) => ({
      // Always present, if empty: gRPC refuses a LocalityLbEndpoints without a locality.
      locality: { region: l.region ?? '', zone: l.zone ?? '', sub_zone: l.subZone ?? '' },
      load_balancing_weight: l.weight ?? 1,
      ...(l.priority !== undefined ? { priority: l.priority } : {}),
      lb_endpoints: l.endpoints.map((e) => ({
        endpoint: { address: { socket_address: { address: e.address, port_value: e.port } } },
        ...(e.healthStatus !== undefined ? { health_status: e.healthStatus } : {}),
        ...(e.weight !== undefined ? { load_balancing_weight: e.weight } : {}),
      })),
    })),
  });
}
