/**
 * The kinds the model knows: API group/version, plural and scope. Kinds not
 * listed here are refused by the store with "unknown kind"; objects of a
 * listed kind with another apiVersion are refused too (the schemas are those
 * of the versions listed here). FSM serves older versions of some kinds
 * (MeshConfig v1alpha1/v1alpha2) with another shape, through a conversion
 * webhook this project does not have; those are refused.
 */
import type { KindInfo } from '../types.js';

interface KindOptions {
  /** false for cluster-scoped kinds. */
  readonly namespaced?: boolean;
  /** Older apiVersions served with the same schema. */
  readonly alsoServed?: readonly string[];
  /** Read in every namespace, monitored or not (see KindInfo.anyNamespace). */
  readonly anyNamespace?: boolean;
  /** The Kubernetes kind, when the model's name is qualified with the group. */
  readonly apiKind?: string;
}

const k = (apiVersion: string, kind: string, plural: string, o: KindOptions = {}): KindInfo => ({
  apiVersion,
  ...(o.alsoServed ? { alsoServed: o.alsoServed } : {}),
  kind,
  plural,
  namespaced: o.namespaced ?? true,
  ...(o.anyNamespace ? { anyNamespace: true } : {}),
  ...(o.apiKind ? { apiKind: o.apiKind } : {}),
});

const GATEWAY_API = 'gateway.networking.k8s.io';
const GATEWAY_POLICY = 'gateway.flomesh.io/v1alpha1';
/** A Gateway API kind whose name SMI also uses: the model qualifies it with the group. */
const gatewayQualified = (kind: string, plural: string): KindInfo =>
  k(`${GATEWAY_API}/v1alpha2`, `${kind}.${GATEWAY_API}`, plural, { apiKind: kind });

export const KINDS: readonly KindInfo[] = [
  k('v1', 'Namespace', 'namespaces', { namespaced: false }),
  k('v1', 'Service', 'services'),
  k('discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices'),
  k('v1', 'Endpoints', 'endpoints'),
  k('v1', 'Pod', 'pods'),
  k('v1', 'ServiceAccount', 'serviceaccounts'),
  k('v1', 'Secret', 'secrets'),
  k('config.flomesh.io/v1alpha3', 'MeshConfig', 'meshconfigs'),
  k('config.flomesh.io/v1alpha3', 'MeshRootCertificate', 'meshrootcertificates'),
  k('access.smi-spec.io/v1alpha3', 'TrafficTarget', 'traffictargets'),
  k('specs.smi-spec.io/v1alpha4', 'HTTPRouteGroup', 'httproutegroups'),
  k('specs.smi-spec.io/v1alpha4', 'TCPRoute', 'tcproutes'),
  k('specs.smi-spec.io/v1alpha4', 'UDPRoute', 'udproutes'),
  // FSM serves v1alpha2 too; its spec (service, backends with weights) is v1alpha4's without matches.
  k('split.smi-spec.io/v1alpha4', 'TrafficSplit', 'trafficsplits', { alsoServed: ['split.smi-spec.io/v1alpha2'] }),
  k('policy.flomesh.io/v1alpha1', 'Egress', 'egresses'),
  k('policy.flomesh.io/v1alpha1', 'EgressGateway', 'egressgateways', { anyNamespace: true }),
  k('policy.flomesh.io/v1alpha1', 'IngressBackend', 'ingressbackends'),
  k('policy.flomesh.io/v1alpha1', 'AccessControl', 'accesscontrols'),
  k('policy.flomesh.io/v1alpha1', 'Retry', 'retries'),
  k('policy.flomesh.io/v1alpha1', 'UpstreamTrafficSetting', 'upstreamtrafficsettings'),
  k('policy.flomesh.io/v1alpha1', 'Isolation', 'isolations', { namespaced: false }),
  k('policy.flomesh.io/v1alpha1', 'TrafficWarmup', 'trafficwarmups'),
  k('plugin.flomesh.io/v1alpha1', 'Plugin', 'plugins', { namespaced: false }),
  k('plugin.flomesh.io/v1alpha1', 'PluginChain', 'pluginchains'),
  k('plugin.flomesh.io/v1alpha1', 'PluginConfig', 'pluginconfigs'),
  k('multicluster.flomesh.io/v1alpha1', 'ServiceImport', 'serviceimports'),
  k('multicluster.flomesh.io/v1alpha1', 'ServiceExport', 'serviceexports'),
  k('multicluster.flomesh.io/v1alpha1', 'GlobalTrafficPolicy', 'globaltrafficpolicies'),
  k('connector.flomesh.io/v1alpha1', 'ConsulConnector', 'consulconnectors', { anyNamespace: true }),
  k('connector.flomesh.io/v1alpha1', 'EurekaConnector', 'eurekaconnectors', { anyNamespace: true }),
  k('connector.flomesh.io/v1alpha1', 'NacosConnector', 'nacosconnectors', { anyNamespace: true }),
  k('connector.flomesh.io/v1alpha1', 'ZookeeperConnector', 'zookeeperconnectors', { anyNamespace: true }),
  // Gateway API as FSM 1.3 serves it (gateway-api v1.1): v1 with v1beta1 still served.
  k(`${GATEWAY_API}/v1`, 'GatewayClass', 'gatewayclasses', { namespaced: false, alsoServed: [`${GATEWAY_API}/v1beta1`] }),
  k(`${GATEWAY_API}/v1`, 'Gateway', 'gateways', { alsoServed: [`${GATEWAY_API}/v1beta1`] }),
  k(`${GATEWAY_API}/v1`, 'HTTPRoute', 'httproutes', { alsoServed: [`${GATEWAY_API}/v1beta1`] }),
  k(`${GATEWAY_API}/v1`, 'GRPCRoute', 'grpcroutes', { alsoServed: [`${GATEWAY_API}/v1alpha2`] }),
  // v1beta1 is what every Gateway API release serves; v1 arrived in gateway-api v1.6.
  k(`${GATEWAY_API}/v1beta1`, 'ReferenceGrant', 'referencegrants', { alsoServed: [`${GATEWAY_API}/v1`] }),
  k(`${GATEWAY_API}/v1alpha2`, 'TLSRoute', 'tlsroutes'),
  gatewayQualified('TCPRoute', 'tcproutes'),
  gatewayQualified('UDPRoute', 'udproutes'),
  k(GATEWAY_POLICY, 'RateLimitPolicy', 'ratelimitpolicies'),
  k(GATEWAY_POLICY, 'SessionStickyPolicy', 'sessionstickypolicies'),
  k(GATEWAY_POLICY, 'LoadBalancerPolicy', 'loadbalancerpolicies'),
  k(GATEWAY_POLICY, 'CircuitBreakingPolicy', 'circuitbreakingpolicies'),
  k(GATEWAY_POLICY, 'AccessControlPolicy', 'accesscontrolpolicies'),
  k(GATEWAY_POLICY, 'HealthCheckPolicy', 'healthcheckpolicies'),
  k(GATEWAY_POLICY, 'FaultInjectionPolicy', 'faultinjectionpolicies'),
  k(GATEWAY_POLICY, 'UpstreamTLSPolicy', 'upstreamtlspolicies'),
  k(GATEWAY_POLICY, 'RetryPolicy', 'retrypolicies'),
];

const BY_KIND = new Map(KINDS.map((i) => [i.kind, i]));
/** Kubernetes kind → the model kinds of that name (two for TCPRoute and UDPRoute). */
const BY_API_KIND = new Map<string, KindInfo[]>();
for (const i of KINDS) {
  const name = i.apiKind ?? i.kind;
  BY_API_KIND.set(name, [...(BY_API_KIND.get(name) ?? []), i]);
}

/** The kind of a model kind name (see KindInfo.kind). */
export function kindInfo(kind: string): KindInfo | undefined {
  return BY_KIND.get(kind);
}

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/**
 * The model kind of an object as a source presents it (`apiVersion`, `kind`).
 * A Kubernetes kind defined by one group resolves by name alone, whatever the
 * version; one that two groups define (TCPRoute) resolves by the group of
 * `apiVersion`, the unqualified (SMI) kind answering any other group. A
 * qualified model name resolves to itself.
 */
export function resolveKind(apiVersion: string, kind: string): KindInfo | undefined {
  const exact = BY_KIND.get(kind);
  if (exact?.apiKind) return exact;
  const candidates = BY_API_KIND.get(kind);
  if (!candidates || candidates.length < 2) return exact;
  const group = groupOf(apiVersion);
  return candidates.find((c) => c.apiKind && groupOf(c.apiVersion) === group) ?? exact;
}

/** The Kubernetes kind of a model kind (its name without the group qualifier). */
export function apiKindOf(kind: string): string {
  return BY_KIND.get(kind)?.apiKind ?? kind;
}
