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
}

const k = (apiVersion: string, kind: string, plural: string, o: KindOptions = {}): KindInfo => ({
  apiVersion,
  ...(o.alsoServed ? { alsoServed: o.alsoServed } : {}),
  kind,
  plural,
  namespaced: o.namespaced ?? true,
  ...(o.anyNamespace ? { anyNamespace: true } : {}),
});

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
];

const BY_KIND = new Map(KINDS.map((i) => [i.kind, i]));

export function kindInfo(kind: string): KindInfo | undefined {
  return BY_KIND.get(kind);
}
