/**
 * MeshConfig (`config.flomesh.io/v1alpha3`, singleton `fsm-mesh-config`):
 * every field of FSM's preset with its default, merge-patch semantics and
 * typed accessors. Field names are exactly the CRD's (camelCase), so
 * `spec.traffic.enablePermissiveTrafficPolicyMode` reads as in the CRD.
 */
import { parseGoDuration } from '../shared/duration.js';
import type { MeshConfigSpec, PluginChainEntry } from './mesh-config-spec.js';

export type * from './mesh-config-spec.js';

export const MESH_CONFIG_NAME = 'fsm-mesh-config';
export const MESH_CONFIG_KIND = 'MeshConfig';
export const MESH_CONFIG_API_VERSION = 'config.flomesh.io/v1alpha3';

export interface MeshConfigView {
  /** The effective spec: defaults deep-merged with the stored object. Must not be mutated. */
  readonly spec: MeshConfigSpec;
  isPermissiveTrafficPolicyMode(): boolean;
  isEgressEnabled(): boolean;
  /** `certificate.serviceCertValidityDuration` in milliseconds. */
  serviceCertValidityMs(): number;
  /** `sidecar.configResyncInterval` in milliseconds (0 = off). */
  configResyncIntervalMs(): number;
  /** `warmup.duration` in milliseconds. */
  warmupDurationMs(): number;
  isFeatureEnabled(flag: keyof MeshConfigSpec['featureFlags']): boolean;
}

function chain(entries: [string, number][]): PluginChainEntry[] {
  return entries.map(([plugin, priority]) => ({ plugin, priority, disable: false }));
}

/** A fresh copy of FSM's preset MeshConfig spec (chart values of FSM 1.6). */
export function meshConfigDefaults(): MeshConfigSpec {
  return {
    clusterSet: {
      isManaged: false,
      // The chart draws a uuidv4 at install time; a file-described mesh has none until it sets one.
      uid: '',
      region: 'default',
      zone: 'default',
      group: 'default',
      name: 'local',
      controlPlaneUID: '',
      properties: [],
    },
    sidecar: {
      enablePrivilegedInitContainer: false,
      logLevel: 'error',
      maxDataPlaneConnections: 0,
      configResyncInterval: '0s',
      compressConfig: true,
      holdApplicationUntilProxyStarts: true,
      gracefulExitUntilDownstreamEnds: true,
      sidecarImage: 'flomesh/pipy:1.5.14',
      sidecarDisabledMTLS: false,
      sidecarTimeout: 60,
      localProxyMode: 'Localhost',
      localDNSProxy: {
        enable: false,
        primaryUpstreamDNSServerIPAddr: '',
        secondaryUpstreamDNSServerIPAddr: '',
        generateIPv6BasedOnIPv4: false,
        wildcard: { enable: false, los: [], ips: [{ ipv4: '127.0.0.2' }] },
        db: [],
      },
      xnetDNSProxy: { enable: false, upstreams: [{ name: 'fsm-controller' }] },
    },
    repoServer: { ipaddr: '127.0.0.1', port: 6060, codebase: '' },
    traffic: {
      interceptionMode: 'PodLevel',
      enableEgress: true,
      enablePermissiveTrafficPolicyMode: true,
      http1PerRequestLoadBalancing: false,
      http2PerRequestLoadBalancing: true,
      serviceAccessMode: 'mixed',
      // The CRD's defaults (cmd/fsm-bootstrap/crds/config.flomesh.io_meshconfigs.yaml), which FSM's
      // chart leaves alone: svc.ns.svc.<trust domain> names exist, bare `svc` only in the local namespace.
      serviceAccessNames: {
        mustWithServicePort: false,
        withTrustDomain: true,
        mustWithNamespace: true,
        cloud: { withNamespace: true },
      },
      outboundPortExclusionList: [],
      inboundPortExclusionList: [],
      outboundIPRangeExclusionList: [],
      outboundIPRangeInclusionList: [],
      networkInterfaceExclusionList: [],
      inboundExternalAuthorization: {
        enable: false,
        address: '',
        port: 0,
        statPrefix: '',
        timeout: '1s',
        failureModeAllow: false,
      },
    },
    warmup: { enable: false, duration: '90s', minWeight: 10, maxWeight: 100, aggression: 1 },
    observability: {
      fsmLogLevel: 'info',
      tracing: { enable: false, port: 9411, address: '', endpoint: '/api/v2/spans', sampledFraction: '1.0' },
      remoteLogging: {
        enable: false,
        level: 2,
        port: 30514,
        address: '',
        endpoint: '',
        authorization: '',
        sampledFraction: '1.0',
        secretName: 'fsm-remote-logging-secret',
      },
    },
    certificate: { serviceCertValidityDuration: '24h', certKeyBitSize: 2048 },
    featureFlags: {
      enableEgressPolicy: true,
      enableSnapshotCacheMode: false,
      enableAsyncProxyServiceMapping: false,
      enableIngressBackendPolicy: true,
      enableAccessControlPolicy: true,
      enableAccessCertPolicy: false,
      enableTrafficWarmupPolicy: false,
      enableSidecarPrettyConfig: true,
      enableSidecarActiveHealthChecks: false,
      enableRetryPolicy: false,
      enablePluginPolicy: false,
      enableAutoDefaultRoute: false,
      enableValidateGatewayListenerHostname: true,
      enableValidateHTTPRouteHostnames: true,
      enableValidateGRPCRouteHostnames: true,
      enableValidateTLSRouteHostnames: true,
      useEndpointSlicesForGateway: true,
      dropRouteRuleIfNoAvailableBackends: false,
    },
    pluginChains: {
      'inbound-tcp': chain([
        ['inbound-tls-termination', 130],
        ['inbound-tcp-routing', 120],
        ['inbound-tcp-load-balancing', 110],
        ['inbound-tcp-default', 100],
      ]),
      'inbound-http': chain([
        ['inbound-tls-termination', 180],
        ['inbound-http-routing', 170],
        ['inbound-metrics-http', 160],
        ['inbound-tracing-http', 150],
        ['inbound-logging-http', 140],
        ['inbound-throttle-service', 130],
        ['inbound-throttle-route', 120],
        ['inbound-http-load-balancing', 110],
        ['inbound-http-default', 100],
      ]),
      'outbound-tcp': chain([
        ['outbound-tcp-routing', 120],
        ['outbound-tcp-load-balancing', 110],
        ['outbound-tcp-default', 100],
      ]),
      'outbound-http': chain([
        ['outbound-http-routing', 160],
        ['outbound-metrics-http', 150],
        ['outbound-tracing-http', 140],
        ['outbound-logging-http', 130],
        ['outbound-circuit-breaker', 120],
        ['outbound-http-load-balancing', 110],
        ['outbound-http-default', 100],
      ]),
    },
    ingress: {
      enabled: false,
      namespaced: false,
      type: 'LoadBalancer',
      logLevel: 'info',
      http: { enabled: true, bind: 80, listen: 8000, nodePort: 30508 },
      tls: {
        enabled: false,
        bind: 443,
        listen: 8443,
        nodePort: 30607,
        mTLS: false,
        sslPassthrough: { enabled: false, upstreamPort: 443 },
      },
    },
    // FSM 1.3's MeshConfig CRD defaults for the FGW settings.
    gatewayAPI: {
      enabled: false,
      logLevel: 'info',
      fgwLogLevel: 'info',
      stripAnyHostPort: false,
      proxyPreserveHost: true,
      sslPassthroughUpstreamPort: 443,
      http1PerRequestLoadBalancing: false,
      http2PerRequestLoadBalancing: false,
    },
    serviceLB: { enabled: false, image: 'mirrored-klipper-lb:v0.4.7' },
    flb: { enabled: false, strictMode: false, upstreamMode: 'Endpoint', secretName: 'fsm-flb-secret' },
    egressGateway: { enabled: false, logLevel: 'error', mode: 'http2tunnel', port: 1080, adminPort: 6060, replicas: 1 },
    image: { registry: 'flomesh', tag: '1.6.0', name: {}, digest: {}, pullPolicy: 'IfNotPresent' },
    misc: { repoServerImage: 'flomesh/pipy-repo:1.5.14' },
    connector: {
      lb: { type: 'ActiveActive', masterNamespace: '', slaveNamespaces: [] },
      DO_NOT_EDIT_viaGateway: 'viaGateway is managed by the fsm-connector gateway; do not edit',
      viaGateway: {
        clusterIP: '',
        externalIP: '',
        ingressAddr: '',
        ingressHTTPPort: 0,
        ingressGRPCPort: 0,
        egressAddr: '',
        egressHTTPPort: 0,
        egressGRPCPort: 0,
      },
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * RFC 7386 JSON merge patch: objects merge member by member, `null` deletes a
 * member, anything else (arrays included) replaces. Returns a new value; the
 * inputs are not modified.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * The effective spec for a stored MeshConfig spec: the stored object merged
 * over the defaults. A member the stored object deletes (`null`) falls back
 * to its default, as an absent member does in the CRD.
 */
export function effectiveMeshConfigSpec(stored: unknown): MeshConfigSpec {
  const defaults = meshConfigDefaults();
  if (!isPlainObject(stored)) return defaults;
  return mergePatch(defaults, stripNulls(stored)) as MeshConfigSpec;
}

function stripNulls(v: unknown): unknown {
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = stripNulls(x);
  return out;
}

/** A view over an effective spec, with typed accessors. */
export function createMeshConfigView(spec: MeshConfigSpec): MeshConfigView {
  // Read on every certificate issuance: parsed once per view.
  let certValidityMs: number | undefined;
  return {
    spec,
    isPermissiveTrafficPolicyMode: () => spec.traffic.enablePermissiveTrafficPolicyMode,
    isEgressEnabled: () => spec.traffic.enableEgress,
    serviceCertValidityMs: () => (certValidityMs ??= parseGoDuration(spec.certificate.serviceCertValidityDuration)),
    configResyncIntervalMs: () => parseGoDuration(spec.sidecar.configResyncInterval),
    warmupDurationMs: () => parseGoDuration(spec.warmup.duration),
    isFeatureEnabled: (flag) => spec.featureFlags[flag],
  };
}
