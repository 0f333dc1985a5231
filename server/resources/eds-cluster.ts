import type { Resource } from '../../cache/resource.js';
import { TypeUrl } from '../../cache/types.js';
import { encodeResource } from '../codec/resource-codec.js';
import { configSource, type ConfigSourceOption } from './config-source.js';

const UPSTREAM_TLS_CONTEXT_TYPE_URL = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';

/** Cluster load-balancing policies (`envoy.config.cluster.v3.Cluster.LbPolicy`); gRPC supports ROUND_ROBIN and RING_HASH. */
export type LbPolicy = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RING_HASH' | 'RANDOM' | 'MAGLEV' | 'CLUSTER_PROVIDED';

export interface EdsClusterOptions {
  readonly name: string;
  /** The ClusterLoadAssignment to ask EDS for; default the cluster name. */
  readonly serviceName?: string;
  /** Where the endpoints come from; default `'ads'` (gRPC accepts nothing else). */
  readonly edsConfigSource?: ConfigSourceOption;
  /** Default `'ROUND_ROBIN'`. */
  readonly lbPolicy?: LbPolicy;
  /** TLS to the endpoints with certificates from SDS (Envoy; gRPC clients use certificate providers instead). */
  readonly upstreamTls?: UpstreamTlsOptions;
}

export interface UpstreamTlsOptions {
  /** The SDS Secret with this side's certificate and key (mutual TLS); none: no client certificate. */
  readonly certificateSecret?: string;
  /** The SDS Secret with the validation context that checks the endpoints' certificates. */
  readonly validationContextSecret?: string;
  /** Server name sent in the TLS handshake. */
  readonly sni?: string;
  /** Where the secrets come from; default `'ads'`. */
  readonly sdsConfigSource?: ConfigSourceOption;
}

/**
 * A Cluster whose endpoints come from EDS (a ClusterLoadAssignment named
 * `serviceName`, else the cluster name: the reference snapshot consistency
 * checks follow).
 */
export function edsCluster(options: EdsClusterOptions): Resource {
  return encodeResource({
    '@type': TypeUrl.Cluster,
    name: options.name,
    type: 'EDS',
    eds_cluster_config: {
      eds_config: configSource(options.edsConfigSource),
      ...(options.serviceName !== undefined ? { service_name: options.serviceName } : {}),
    },
    lb_policy: options.lbPolicy ?? 'ROUND_ROBIN',
    ...(options.upstreamTls ? { transport_socket: upstreamTlsSocket(options.upstreamTls) } : {}),
  });
}

function upstreamTlsSocket(tls: UpstreamTlsOptions) {
  const sds = (name: string) => ({ name, sds_config: configSource(tls.sdsConfigSource) });
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': UPSTREAM_TLS_CONTEXT_TYPE_URL,
      ...(tls.sni !== undefined ? { sni: tls.sni } : {}),
      common_tls_context: {
        ...(tls.certificateSecret !== undefined ? { tls_certificate_sds_secret_configs: [sds(tls.certificateSecret)] } : {}),
        ...(tls.validationContextSecret !== undefined ? { validation_context_sds_secret_config: sds(tls.validationContextSecret) } : {}),
      },
    },
  };
}
