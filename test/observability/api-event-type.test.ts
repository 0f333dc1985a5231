import t from 'tap';
import { apiEventType } from '../../src/observability/api-event-type.js';

// The label values FSM's announcements use (pkg/announcements/types.go at v1.3.x).

t.test("FSM's announcement names for the model's kinds", async (t) => {
  const cases: [kind: string, apiVersion: string, op: 'added' | 'updated' | 'deleted', want: string][] = [
    ['Pod', 'v1', 'added', 'pod-added'],
    ['Namespace', 'v1', 'updated', 'namespace-updated'],
    ['Service', 'v1', 'deleted', 'service-deleted'],
    ['ServiceAccount', 'v1', 'added', 'serviceaccount-added'],
    ['Endpoints', 'v1', 'updated', 'endpoint-updated'],
    ['EndpointSlice', 'discovery.k8s.io/v1', 'added', 'endpointslices-added'],
    ['Secret', 'v1', 'added', 'secret-added'],
    ['MeshConfig', 'config.flomesh.io/v1alpha3', 'updated', 'meshconfig-updated'],
    ['MeshRootCertificate', 'config.flomesh.io/v1alpha3', 'added', 'meshrootcertificate-added'],
    ['TrafficSplit', 'split.smi-spec.io/v1alpha4', 'updated', 'trafficsplit-updated'],
    ['TrafficTarget', 'access.smi-spec.io/v1alpha3', 'added', 'traffictarget-added'],
    ['HTTPRouteGroup', 'specs.smi-spec.io/v1alpha4', 'deleted', 'routegroup-deleted'],
    ['TCPRoute', 'specs.smi-spec.io/v1alpha4', 'added', 'tcproute-added'],
    ['Egress', 'policy.flomesh.io/v1alpha1', 'added', 'egress-added'],
    ['EgressGateway', 'policy.flomesh.io/v1alpha1', 'added', 'egressgateway-added'],
    ['IngressBackend', 'policy.flomesh.io/v1alpha1', 'added', 'ingressbackend-added'],
    ['AccessControl', 'policy.flomesh.io/v1alpha1', 'added', 'accesscontrol-added'],
    ['Retry', 'policy.flomesh.io/v1alpha1', 'added', 'retry-added'],
    ['Isolation', 'policy.flomesh.io/v1alpha1', 'added', 'isolation-added'],
    ['UpstreamTrafficSetting', 'policy.flomesh.io/v1alpha1', 'added', 'upstreamtrafficsetting-added'],
    ['PluginChain', 'plugin.flomesh.io/v1alpha1', 'updated', 'pluginchain-updated'],
    ['ServiceImport', 'multicluster.flomesh.io/v1alpha1', 'added', 'serviceimport-added'],
    ['GlobalTrafficPolicy', 'multicluster.flomesh.io/v1alpha1', 'added', 'globaltrafficpolicy-added'],
    ['HTTPRoute', 'gateway.networking.k8s.io/v1', 'added', 'gwapi-httproute-added'],
    ['TCPRoute.gateway.networking.k8s.io', 'gateway.networking.k8s.io/v1alpha2', 'deleted', 'gwapi-tcproute-deleted'],
    ['CircuitBreakingPolicy', 'gateway.flomesh.io/v1alpha1', 'added', 'circuitbreaking-added'],
    ['RetryPolicy', 'gateway.flomesh.io/v1alpha1', 'added', 'retrypolicy-added'],
    // No FSM announcement: the same rule.
    ['UDPRoute', 'specs.smi-spec.io/v1alpha4', 'added', 'udproute-added'],
  ];
  for (const [kind, apiVersion, op, want] of cases) t.equal(apiEventType(kind, apiVersion, op), want, `${apiVersion} ${kind} ${op}`);
});
