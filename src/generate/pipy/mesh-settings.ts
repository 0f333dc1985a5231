/**
 * The MeshConfig fields the sidecar generator reads, with FSM's preset
 * defaults (fsm-compat.md §5.1) applied here as well, so the generator gives
 * the same answer whether the view hands it a fully defaulted spec or a
 * partial one.
 */
import type { MeshConfigView } from '../../model/mesh-config.js';

export interface PluginChainEntry {
  readonly plugin: string;
  readonly priority: number;
  readonly disable: boolean;
}

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
  /** serviceAccessNames.cloud.withNamespace: registry services also get namespaced host names (FSM CRD default true). */
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

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}
function bool(v: unknown, dflt: boolean): boolean {
  return typeof v === 'boolean' ? v : dflt;
}
function num(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}
function str(v: unknown, dflt: string): string {
  return typeof v === 'string' ? v : dflt;
}

const DEFAULT_CHAINS: Record<string, [string, number][]> = {
  'inbound-tcp': [['inbound-tls-termination', 130], ['inbound-tcp-routing', 120], ['inbound-tcp-load-balancing', 110], ['inbound-tcp-default', 100]],
  'inbound-http': [
    ['inbound-tls-termination', 180], ['inbound-http-routing', 170], ['inbound-metrics-http', 160], ['inbound-tracing-http', 150],
    ['inbound-logging-http', 140], ['inbound-throttle-service', 130], ['inbound-throttle-route', 120],
    ['inbound-http-load-balancing', 110], ['inbound-http-default', 100],
  ],
  'outbound-tcp': [['outbound-tcp-routing', 120], ['outbound-tcp-load-balancing', 110], ['outbound-tcp-default', 100]],
  'outbound-http': [
    ['outbound-http-routing', 160], ['outbound-metrics-http', 150], ['outbound-tracing-http', 140], ['outbound-logging-http', 130],
    ['outbound-circuit-breaker', 120], ['outbound-http-load-balancing', 110], ['outbound-http-default', 100],
  ],
};

function readChains(v: unknown): Record<string, PluginChainEntry[]> {
  const given = obj(v);
  const out: Record<string, PluginChainEntry[]> = {};
  for (const mount of Object.keys(DEFAULT_CHAINS)) {
    const list = given[mount];
    out[mount] = Array.isArray(list)
      ? list.map((e) => {
          const o = obj(e);
          return { plugin: str(o.plugin, ''), priority: num(o.priority, 0), disable: bool(o.disable, false) };
        }).filter((e) => e.plugin !== '')
      : (DEFAULT_CHAINS[mount] ?? []).map(([plugin, priority]) => ({ plugin, priority, disable: false }));
  }
  return out;
}

/** Reads the sidecar-relevant MeshConfig fields, defaulting what is absent. */
export function readMeshSettings(meshConfig: MeshConfigView): SidecarMeshSettings {
  const spec = obj(meshConfig.spec);
  const sidecar = obj(spec.sidecar);
  const traffic = obj(spec.traffic);
  const names = obj(traffic.serviceAccessNames);
  const ff = obj(spec.featureFlags);
  const obs = obj(spec.observability);
  const tracing = obj(obs.tracing);
  const logging = obj(obs.remoteLogging);
  const mode = str(traffic.serviceAccessMode, 'mixed');
  const props = Array.isArray(obj(spec.clusterSet).properties) ? (obj(spec.clusterSet).properties as unknown[]) : [];
  return {
    logLevel: str(sidecar.logLevel, 'error'),
    sidecarTimeout: num(sidecar.sidecarTimeout, 60),
    sidecarDisabledMTLS: bool(sidecar.sidecarDisabledMTLS, false),
    enableEgress: bool(traffic.enableEgress, true),
    permissive: bool(traffic.enablePermissiveTrafficPolicyMode, true),
    http1PerRequestLoadBalancing: bool(traffic.http1PerRequestLoadBalancing, false),
    http2PerRequestLoadBalancing: bool(traffic.http2PerRequestLoadBalancing, true),
    serviceAccessMode: mode === 'ip' || mode === 'domain' ? mode : 'mixed',
    mustWithServicePort: bool(names.mustWithServicePort, false),
    withTrustDomain: bool(names.withTrustDomain, true),
    mustWithNamespace: bool(names.mustWithNamespace, false),
    cloudWithNamespace: bool(obj(names.cloud).withNamespace, true),
    flags: {
      enableEgressPolicy: bool(ff.enableEgressPolicy, true),
      enableIngressBackendPolicy: bool(ff.enableIngressBackendPolicy, true),
      enableAccessControlPolicy: bool(ff.enableAccessControlPolicy, true),
      enableRetryPolicy: bool(ff.enableRetryPolicy, false),
      enablePluginPolicy: bool(ff.enablePluginPolicy, false),
      enableSidecarActiveHealthChecks: bool(ff.enableSidecarActiveHealthChecks, false),
      enableAutoDefaultRoute: bool(ff.enableAutoDefaultRoute, false),
    },
    ...(bool(tracing.enable, false)
      ? {
          tracing: {
            // FSM joins address and port into one "host:port" string.
            address: `${str(tracing.address, '')}:${num(tracing.port, 9411)}`,
            endpoint: str(tracing.endpoint, '/api/v2/spans'),
            sampledFraction: formatFraction(tracing.sampledFraction),
          },
        }
      : {}),
    ...(bool(logging.enable, false)
      ? {
          remoteLogging: {
            level: num(logging.level, 2),
            address: `${str(logging.address, '')}:${num(logging.port, 30514)}`,
            endpoint: str(logging.endpoint, ''),
            authorization: str(logging.authorization, ''),
            sampledFraction: formatFraction(logging.sampledFraction),
          },
        }
      : {}),
    clusterSetProperties: props.map((p) => ({ name: str(obj(p).name, ''), value: str(obj(p).value, '') })).filter((p) => p.name !== ''),
    pluginChains: readChains(spec.pluginChains),
  };
}

/** FSM formats the sampled fraction with `%0.2f`. */
function formatFraction(v: unknown): string {
  const n = typeof v === 'number' ? v : Number.parseFloat(typeof v === 'string' ? v : '1');
  return (Number.isFinite(n) ? n : 1).toFixed(2);
}
