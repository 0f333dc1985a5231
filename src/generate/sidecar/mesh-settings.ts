/**
 * The MeshConfig fields the sidecar generator reads, derived from the typed
 * effective spec (the store merges FSM's CRD defaults, src/model/mesh-config.ts,
 * the one place defaults live): field names as the sidecar config needs them,
 * and FSM's formatting of tracing and logging endpoints.
 */
import type { MeshConfigView, PluginChainEntry } from '../../model/mesh-config.js';

export type { PluginChainEntry };

export interface SidecarMeshSettings {
  readonly logLevel: string;
  readonly sidecarTimeout: number;
  readonly sidecarDisabledMTLS: boolean;
  readonly enableEgress: boolean;
  readonly permissive: boolean;
  readonly http1PerRequestLoadBalancing: boolean;
  readonly http2PerRequestLoadBalancing: boolean;
  readonly serviceAccessMode: 'mixed' | 'ip' | 'domain';
  readonly mustWithServicePort: boolean;
  readonly withTrustDomain: boolean;
  readonly mustWithNamespace: boolean;
  /** `serviceAccessNames.cloud.withNamespace`: registry services are also reached by `svc.ns…` names. */
  readonly cloudWithNamespace: boolean;
  readonly flags: {
    readonly enableEgressPolicy: boolean;
    readonly enableIngressBackendPolicy: boolean;
    readonly enableAccessControlPolicy: boolean;
    readonly enableRetryPolicy: boolean;
    readonly enablePluginPolicy: boolean;
    readonly enableSidecarActiveHealthChecks: boolean;
    readonly enableAutoDefaultRoute: boolean;
  };
  readonly tracing?: { address: string; endpoint: string; sampledFraction: string };
  readonly remoteLogging?: { level: number; address: string; endpoint: string; authorization: string; sampledFraction: string };
  readonly clusterSetProperties: readonly { name: string; value: string }[];
  readonly pluginChains: Readonly<Record<string, readonly PluginChainEntry[]>>;
}

/** Reads the sidecar-relevant MeshConfig fields from the effective (fully defaulted) spec. */
export function readMeshSettings(meshConfig: MeshConfigView): SidecarMeshSettings {
  const { sidecar, traffic, featureFlags: ff, observability, clusterSet, pluginChains } = meshConfig.spec;
  const names = traffic.serviceAccessNames;
  const { tracing, remoteLogging: logging } = observability;
  return {
    logLevel: sidecar.logLevel,
    sidecarTimeout: sidecar.sidecarTimeout,
    sidecarDisabledMTLS: sidecar.sidecarDisabledMTLS,
    enableEgress: traffic.enableEgress,
    permissive: traffic.enablePermissiveTrafficPolicyMode,
    http1PerRequestLoadBalancing: traffic.http1PerRequestLoadBalancing,
    http2PerRequestLoadBalancing: traffic.http2PerRequestLoadBalancing,
    serviceAccessMode: traffic.serviceAccessMode,
    mustWithServicePort: names.mustWithServicePort,
    withTrustDomain: names.withTrustDomain,
    mustWithNamespace: names.mustWithNamespace,
    cloudWithNamespace: names.cloud.withNamespace,
    flags: {
      enableEgressPolicy: ff.enableEgressPolicy,
      enableIngressBackendPolicy: ff.enableIngressBackendPolicy,
      enableAccessControlPolicy: ff.enableAccessControlPolicy,
      enableRetryPolicy: ff.enableRetryPolicy,
      enablePluginPolicy: ff.enablePluginPolicy,
      enableSidecarActiveHealthChecks: ff.enableSidecarActiveHealthChecks,
      enableAutoDefaultRoute: ff.enableAutoDefaultRoute,
    },
    ...(tracing.enable
      ? {
          tracing: {
            // FSM joins address and port into one "host:port" string.
            address: `${tracing.address}:${tracing.port}`,
            endpoint: tracing.endpoint,
            sampledFraction: formatFraction(tracing.sampledFraction),
          },
        }
      : {}),
    ...(logging.enable
      ? {
          remoteLogging: {
            level: logging.level,
            address: `${logging.address}:${logging.port}`,
            endpoint: logging.endpoint,
            authorization: logging.authorization,
            sampledFraction: formatFraction(logging.sampledFraction),
          },
        }
      : {}),
    clusterSetProperties: clusterSet.properties.filter((p) => p.name !== ''),
    pluginChains: {
      'inbound-tcp': pluginChains['inbound-tcp'],
      'inbound-http': pluginChains['inbound-http'],
      'outbound-tcp': pluginChains['outbound-tcp'],
      'outbound-http': pluginChains['outbound-http'],
    },
  };
}

/** FSM formats the sampled fraction with `%0.2f`. */
function formatFraction(v: string): string {
  const n = Number.parseFloat(v);
  return (Number.isFinite(n) ? n : 1).toFixed(2);
}
