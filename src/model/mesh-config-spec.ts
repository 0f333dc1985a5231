/**
 * The typed MeshConfig spec (`config.flomesh.io/v1alpha3`). Field names are
 * the CRD's, so `spec.traffic.enablePermissiveTrafficPolicyMode` reads as in
 * the CRD. Every field is present in the effective spec (defaults fill the
 * gaps), see meshConfigDefaults() in mesh-config.ts.
 */

export interface PluginChainEntry {
  plugin: string;
  priority: number;
  disable: boolean;
}

export interface ClusterSetSpec {
  isManaged: boolean;
  uid: string;
  region: string;
  zone: string;
  group: string;
  name: string;
  controlPlaneUID: string;
  properties: { name: string; value: string }[];
}

export interface LocalDNSProxySpec {
  enable: boolean;
  primaryUpstreamDNSServerIPAddr: string;
  secondaryUpstreamDNSServerIPAddr: string;
  generateIPv6BasedOnIPv4: boolean;
  wildcard: { enable: boolean; los: string[]; ips: { ipv4?: string; ipv6?: string }[] };
  db: { dn: string; ips: { ipv4?: string; ipv6?: string }[] }[];
}

export interface SidecarSpec {
  enablePrivilegedInitContainer: boolean;
  logLevel: string;
  maxDataPlaneConnections: number;
  configResyncInterval: string;
  compressConfig: boolean;
  holdApplicationUntilProxyStarts: boolean;
  gracefulExitUntilDownstreamEnds: boolean;
  sidecarImage: string;
  sidecarDisabledMTLS: boolean;
  sidecarTimeout: number;
  localProxyMode: 'Localhost' | 'PodIP';
  localDNSProxy: LocalDNSProxySpec;
  xnetDNSProxy: { enable: boolean; upstreams: { name: string; namespace?: string; port?: number }[] };
  /** Not in the preset; optional in the CRD. */
  resources?: Record<string, unknown>;
  initResources?: Record<string, unknown>;
  healthcheckResources?: Record<string, unknown>;
  tlsMinProtocolVersion?: string;
  tlsMaxProtocolVersion?: string;
  cipherSuites?: string[];
  ecdhCurves?: string[];
}

export interface TrafficSpec {
  interceptionMode: 'PodLevel' | 'NodeLevel';
  enableEgress: boolean;
  enablePermissiveTrafficPolicyMode: boolean;
  http1PerRequestLoadBalancing: boolean;
  http2PerRequestLoadBalancing: boolean;
  serviceAccessMode: 'mixed' | 'ip' | 'domain';
  serviceAccessNames: {
    mustWithServicePort: boolean;
    withTrustDomain: boolean;
    mustWithNamespace: boolean;
    cloud: { withNamespace: boolean };
  };
  outboundPortExclusionList: number[];
  inboundPortExclusionList: number[];
  outboundIPRangeExclusionList: string[];
  outboundIPRangeInclusionList: string[];
  networkInterfaceExclusionList: string[];
  inboundExternalAuthorization: {
    enable: boolean;
    address: string;
    port: number;
    statPrefix: string;
    timeout: string;
    failureModeAllow: boolean;
  };
}

export interface WarmupSpec {
  enable: boolean;
  duration: string;
  minWeight: number;
  maxWeight: number;
  aggression: number;
}

export interface ObservabilitySpec {
  fsmLogLevel: string;
  tracing: { enable: boolean; port: number; address: string; endpoint: string; sampledFraction: string };
  remoteLogging: {
    enable: boolean;
    level: number;
    port: number;
    address: string;
    endpoint: string;
    authorization: string;
    sampledFraction: string;
    secretName: string;
  };
}

export interface CertificateSpec {
  serviceCertValidityDuration: string;
  certKeyBitSize: number;
  ingressGateway?: {
    subjectAltNames: string[];
    validityDuration: string;
    secret: { name: string; namespace: string };
  };
}

export interface FeatureFlags {
  enableEgressPolicy: boolean;
  enableSnapshotCacheMode: boolean;
  enableAsyncProxyServiceMapping: boolean;
  enableIngressBackendPolicy: boolean;
  enableAccessControlPolicy: boolean;
  enableAccessCertPolicy: boolean;
  enableTrafficWarmupPolicy: boolean;
  enableSidecarPrettyConfig: boolean;
  enableSidecarActiveHealthChecks: boolean;
  enableRetryPolicy: boolean;
  enablePluginPolicy: boolean;
  enableAutoDefaultRoute: boolean;
  enableValidateGatewayListenerHostname: boolean;
  enableValidateHTTPRouteHostnames: boolean;
  enableValidateGRPCRouteHostnames: boolean;
  enableValidateTLSRouteHostnames: boolean;
  useEndpointSlicesForGateway: boolean;
  dropRouteRuleIfNoAvailableBackends: boolean;
}

export interface PluginChainsSpec {
  'inbound-tcp': PluginChainEntry[];
  'inbound-http': PluginChainEntry[];
  'outbound-tcp': PluginChainEntry[];
  'outbound-http': PluginChainEntry[];
}

export interface IngressSpec {
  enabled: boolean;
  namespaced: boolean;
  type: string;
  logLevel: string;
  http: { enabled: boolean; bind: number; listen: number; nodePort: number };
  tls: {
    enabled: boolean;
    bind: number;
    listen: number;
    nodePort: number;
    mTLS: boolean;
    sslPassthrough: { enabled: boolean; upstreamPort: number };
  };
}

export interface ConnectorSpec {
  lb: { type: 'ActiveActive' | 'FailOver'; masterNamespace: string; slaveNamespaces: string[] };
  DO_NOT_EDIT_viaGateway: string;
  viaGateway: {
    clusterIP: string;
    externalIP: string;
    ingressAddr: string;
    ingressHTTPPort: number;
    ingressGRPCPort: number;
    egressAddr: string;
    egressHTTPPort: number;
    egressGRPCPort: number;
  };
}

export interface MeshConfigSpec {
  clusterSet: ClusterSetSpec;
  sidecar: SidecarSpec;
  repoServer: { ipaddr: string; port: number; codebase: string };
  traffic: TrafficSpec;
  warmup: WarmupSpec;
  observability: ObservabilitySpec;
  certificate: CertificateSpec;
  featureFlags: FeatureFlags;
  pluginChains: PluginChainsSpec;
  ingress: IngressSpec;
  gatewayAPI: {
    enabled: boolean;
    logLevel: string;
    /** FSM 1.3's FGW settings: they become the gateway config's `Configs` (but stripAnyHostPort: the Gateway API always ignores the Host port). */
    fgwLogLevel: string;
    stripAnyHostPort: boolean;
    proxyPreserveHost: boolean;
    sslPassthroughUpstreamPort: number;
    http1PerRequestLoadBalancing: boolean;
    http2PerRequestLoadBalancing: boolean;
  };
  serviceLB: { enabled: boolean; image: string };
  flb: { enabled: boolean; strictMode: boolean; upstreamMode: 'NodePort' | 'Endpoint'; secretName: string };
  egressGateway: { enabled: boolean; logLevel: string; mode: string; port: number; adminPort: number; replicas: number };
  image: {
    registry: string;
    tag: string;
    name: Record<string, string>;
    digest: Record<string, string>;
    pullPolicy: string;
  };
  misc: { repoServerImage: string };
  connector: ConnectorSpec;
}
