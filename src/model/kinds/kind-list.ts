/**
 * The kinds the model knows: API group/version, plural and scope. Kinds not
 * listed here are refused by the store with "unknown kind".
 */
import type { KindInfo } from '../types.js';

const k = (apiVersion: string, kind: string, plural: string, namespaced = true, anyNamespace = false): KindInfo => ({
  apiVersion,
  kind,
  plural,
  namespaced,
  ...(anyNamespace ? { anyNamespace } : {}),
});

export const KINDS: readonly KindInfo[] = [
  k('v1', 'Namespace', 'namespaces', false),
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
  k('split.smi-spec.io/v1alpha4', 'TrafficSplit', 'trafficsplits'),
  k('policy.flomesh.io/v1alpha1', 'Egress', 'egresses'),
  k('policy.flomesh.io/v1alpha1', 'EgressGateway', 'egressgateways'),
  k('policy.flomesh.io/v1alpha1', 'IngressBackend', 'ingressbackends'),
  k('policy.flomesh.io/v1alpha1', 'AccessControl', 'accesscontrols'),
  k('policy.flomesh.io/v1alpha1', 'Retry', 'retries'),
  k('policy.flomesh.io/v1alpha1', 'UpstreamTrafficSetting', 'upstreamtrafficsettings'),
  k('policy.flomesh.io/v1alpha1', 'Isolation', 'isolations', false),
  k('policy.flomesh.io/v1alpha1', 'TrafficWarmup', 'trafficwarmups'),
  k('plugin.flomesh.io/v1alpha1', 'Plugin', 'plugins', false),
  k('plugin.flomesh.io/v1alpha1', 'PluginChain', 'pluginchains'),
  k('plugin.flomesh.io/v1alpha1', 'PluginConfig', 'pluginconfigs'),
  k('multicluster.flomesh.io/v1alpha1', 'ServiceImport', 'serviceimports'),
  k('multicluster.flomesh.io/v1alpha1', 'ServiceExport', 'serviceexports'),
  k('multicluster.flomesh.io/v1alpha1', 'GlobalTrafficPolicy', 'globaltrafficpolicies'),
  k('connector.flomesh.io/v1alpha1', 'ConsulConnector', 'consulconnectors', true, true),
  k('connector.flomesh.io/v1alpha1', 'EurekaConnector', 'eurekaconnectors', true, true),
  k('connector.flomesh.io/v1alpha1', 'NacosConnector', 'nacosconnectors', true, true),
  k('connector.flomesh.io/v1alpha1', 'ZookeeperConnector', 'zookeeperconnectors', true, true),
];

const BY_KIND = new Map(KINDS.map((i) => [i.kind, i]));

export function kindInfo(kind: string): KindInfo | undefined {
  return BY_KIND.get(kind);
}
