import type { KindInfo } from '../../model/types.js';

/**
 * A kind the Kubernetes source lists and watches. `namespace`, `labelSelector`
 * and `fieldSelector` narrow what is watched (for example Secrets of one
 * namespace); left out, every object of the kind in the cluster is watched.
 */
export interface KubernetesKind extends KindInfo {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

function kind(apiVersion: string, kindName: string, plural: string, namespaced = true): KubernetesKind {
  return { apiVersion, kind: kindName, plural, namespaced };
}

/**
 * Every kind the mesh reads (issue 3 §2). Core and discovery kinds always
 * exist; the CRD kinds may be missing from a cluster, which the source reports
 * as "unavailable" without blocking the others.
 */
export const defaultKubernetesKinds: readonly KubernetesKind[] = [
  kind('v1', 'Namespace', 'namespaces', false),
  kind('v1', 'Service', 'services'),
  kind('discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices'),
  kind('v1', 'Endpoints', 'endpoints'),
  kind('v1', 'Pod', 'pods'),
  kind('v1', 'ServiceAccount', 'serviceaccounts'),
  kind('v1', 'Secret', 'secrets'),
  kind('config.flomesh.io/v1alpha3', 'MeshConfig', 'meshconfigs'),
  kind('config.flomesh.io/v1alpha3', 'MeshRootCertificate', 'meshrootcertificates'),
  kind('access.smi-spec.io/v1alpha3', 'TrafficTarget', 'traffictargets'),
  kind('specs.smi-spec.io/v1alpha4', 'HTTPRouteGroup', 'httproutegroups'),
  kind('specs.smi-spec.io/v1alpha4', 'TCPRoute', 'tcproutes'),
  kind('specs.smi-spec.io/v1alpha4', 'UDPRoute', 'udproutes'),
  kind('split.smi-spec.io/v1alpha4', 'TrafficSplit', 'trafficsplits'),
  kind('policy.flomesh.io/v1alpha1', 'Egress', 'egresses'),
  kind('policy.flomesh.io/v1alpha1', 'EgressGateway', 'egressgateways'),
  kind('policy.flomesh.io/v1alpha1', 'IngressBackend', 'ingressbackends'),
  kind('policy.flomesh.io/v1alpha1', 'AccessControl', 'accesscontrols'),
  kind('policy.flomesh.io/v1alpha1', 'Retry', 'retries'),
  kind('policy.flomesh.io/v1alpha1', 'UpstreamTrafficSetting', 'upstreamtrafficsettings'),
  kind('policy.flomesh.io/v1alpha1', 'Isolation', 'isolations', false),
  kind('policy.flomesh.io/v1alpha1', 'TrafficWarmup', 'trafficwarmups'),
  kind('plugin.flomesh.io/v1alpha1', 'Plugin', 'plugins', false),
  kind('plugin.flomesh.io/v1alpha1', 'PluginChain', 'pluginchains'),
  kind('plugin.flomesh.io/v1alpha1', 'PluginConfig', 'pluginconfigs'),
  kind('multicluster.flomesh.io/v1alpha1', 'ServiceImport', 'serviceimports'),
  kind('multicluster.flomesh.io/v1alpha1', 'ServiceExport', 'serviceexports'),
  kind('multicluster.flomesh.io/v1alpha1', 'GlobalTrafficPolicy', 'globaltrafficpolicies'),
];

/**
 * The collection path of a kind: `/api/v1/pods`, `/apis/<group>/<version>/...`,
 * with `/namespaces/<ns>` when the kind is namespaced and a namespace is set.
 */
export function collectionPath(k: KubernetesKind): string {
  const base = k.apiVersion.includes('/') ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  const ns = k.namespaced && k.namespace ? `/namespaces/${encodeURIComponent(k.namespace)}` : '';
  return `${base}${ns}/${k.plural}`;
}

/** A stable name for a kind in problems, logs and status: `<apiVersion>/<Kind>`. */
export function kindId(k: KindInfo): string {
  return `${k.apiVersion}/${k.kind}`;
}
