/**
 * Kubernetes-shaped mesh objects as the model keeps them: trimmed to the
 * fields the generators read (no managedFields, no unused status). Sources
 * emit these shapes; validation checks them; generators read them.
 */

export interface ObjectMeta {
  name: string;
  /** Empty for cluster-scoped kinds. */
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid?: string; controller?: boolean }[];
}

/** Any object of the model: apiVersion/kind/metadata plus kind-specific fields. */
export interface MeshObject<Spec = unknown, Status = unknown> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
  /** Only for kinds that keep data outside spec (Secret, Endpoints, EndpointSlice). */
  [extra: string]: unknown;
}

/** A unique key: `kind/namespace/name` (namespace empty for cluster-scoped kinds). */
export type ObjectKey = string;

export function objectKey(kind: string, namespace: string | undefined, name: string): ObjectKey {
  return `${kind}/${namespace ?? ''}/${name}`;
}

export function keyOf(obj: Pick<MeshObject, 'kind' | 'metadata'>): ObjectKey {
  return objectKey(obj.kind, obj.metadata.namespace, obj.metadata.name);
}

// ---- core/v1 and discovery/v1 ------------------------------------------------

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
}
export interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: ServicePort[];
  clusterIP?: string;
  clusterIPs?: string[];
  type?: string;
  externalName?: string;
}
export type Service = MeshObject<ServiceSpec>;

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}
export interface Probe {
  httpGet?: { path?: string; port: number | string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string };
  grpc?: { port: number; service?: string };
  exec?: { command?: string[] };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}
export interface Container {
  name: string;
  ports?: ContainerPort[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}
export interface PodSpec {
  serviceAccountName?: string;
  nodeName?: string;
  containers?: Container[];
}
export interface PodStatus {
  podIP?: string;
  podIPs?: { ip: string }[];
  phase?: string;
}
export type Pod = MeshObject<PodSpec, PodStatus>;

export interface EndpointSliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string };
  nodeName?: string;
}
export interface EndpointSlice extends MeshObject {
  addressType?: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: EndpointSliceEndpoint[];
  ports?: { name?: string; port?: number; protocol?: string; appProtocol?: string }[];
}
/** Legacy core/v1 Endpoints. */
export interface Endpoints extends MeshObject {
  subsets?: {
    addresses?: { ip: string; targetRef?: { kind?: string; name?: string; namespace?: string } }[];
    notReadyAddresses?: { ip: string }[];
    ports?: { name?: string; port: number; protocol?: string; appProtocol?: string }[];
  }[];
}
export interface Secret extends MeshObject {
  type?: string;
  /** base64 values, as in the Kubernetes API. */
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

// ---- SMI ---------------------------------------------------------------------

export interface IdentityBindingSubject {
  kind: string; // ServiceAccount
  name: string;
  namespace?: string;
}
export interface TrafficTargetRule {
  kind: string; // HTTPRouteGroup | TCPRoute | UDPRoute
  name: string;
  matches?: string[];
}
export interface TrafficTargetSpec {
  destination: IdentityBindingSubject;
  sources?: IdentityBindingSubject[];
  rules?: TrafficTargetRule[];
}
export type TrafficTarget = MeshObject<TrafficTargetSpec>;

export interface HTTPMatch {
  name: string;
  methods?: string[];
  pathRegex?: string;
  headers?: Record<string, string>;
}
export type HTTPRouteGroup = MeshObject<{ matches?: HTTPMatch[] }>;
export type TCPRoute = MeshObject<{ matches?: { name?: string; ports?: number[] } }>;
export type UDPRoute = MeshObject<{ matches?: { name?: string; ports?: number[] } }>;

export interface TrafficSplitBackend {
  service: string;
  weight: number;
}
export interface TrafficSplitSpec {
  service: string;
  backends: TrafficSplitBackend[];
  matches?: { kind: string; name: string }[];
}
export type TrafficSplit = MeshObject<TrafficSplitSpec>;

// ---- policy.flomesh.io ---------------------------------------------------------

export interface EgressSpec {
  sources: { kind: string; name: string; namespace: string; mtls?: { issuer?: string; cert?: { sn?: number; expiration?: string; subjectAltNames?: string[]; secret?: { name: string; namespace: string } } } }[];
  hosts?: string[];
  ipAddresses?: string[];
  ports: { number: number; protocol: string }[];
  matches?: { apiGroup: string; kind: string; name: string }[];
}
export type Egress = MeshObject<EgressSpec>;

export interface EgressGatewaySpec {
  global?: { service: string; namespace: string; weight?: number }[];
  rules?: { name?: string; egressPolicies: { kind: string; name: string; namespace: string }[]; egressGateways: { service: string; namespace: string; weight?: number }[] }[];
  matches?: { apiGroup?: string; kind: string; name: string }[];
}
export type EgressGateway = MeshObject<EgressGatewaySpec>;

export interface PolicySource {
  kind: 'Service' | 'IPRange' | 'AuthenticatedPrincipal' | string;
  name: string;
  namespace?: string;
}
export interface IngressBackendSpec {
  backends: { name: string; port: { number: number; protocol: string }; tls?: { skipClientCertValidation: boolean; sniHosts?: string[] } }[];
  sources: PolicySource[];
  matches?: { apiGroup: string; kind: string; name: string }[];
}
export type IngressBackend = MeshObject<IngressBackendSpec>;

export interface AccessControlSpec {
  backends: { name: string; port: { number: number; protocol: string }; tls?: { skipClientCertValidation: boolean; sniHosts?: string[] } }[];
  sources: PolicySource[];
  matches?: { apiGroup: string; kind: string; name: string }[];
}
export type AccessControl = MeshObject<AccessControlSpec>;

export interface RetrySpec {
  source: { kind: string; name: string; namespace: string };
  destinations: { kind: string; name: string; namespace: string }[];
  retryPolicy: { retryOn: string; perTryTimeout?: string; numRetries?: number; retryBackoffBaseInterval?: string };
}
export type Retry = MeshObject<RetrySpec>;

export interface RateLimitUnitSpec {
  requests: number;
  unit: 'second' | 'minute' | 'hour' | string;
  burst?: number;
  responseStatusCode?: number;
  responseHeadersToAdd?: { name: string; value: string }[];
}
export interface UpstreamTrafficSettingSpec {
  host: string;
  connectionSettings?: {
    tcp?: { maxConnections?: number; connectTimeout?: string };
    http?: {
      maxRequests?: number;
      maxRequestsPerConnection?: number;
      maxPendingRequests?: number;
      maxRetries?: number;
      circuitBreaking?: {
        statTimeWindow?: string;
        minRequestAmount?: number;
        degradedTimeWindow?: string;
        slowTimeThreshold?: string;
        slowAmountThreshold?: number;
        slowRatioThreshold?: number;
        errorAmountThreshold?: number;
        errorRatioThreshold?: number;
        degradedStatusCode?: number;
        degradedResponseContent?: string;
      };
    };
  };
  rateLimit?: {
    local?: {
      tcp?: { connections: number; unit: string; burst?: number };
      http?: RateLimitUnitSpec;
    };
  };
  httpRoutes?: { path: string; rateLimit?: { local?: RateLimitUnitSpec } }[];
}
export type UpstreamTrafficSetting = MeshObject<UpstreamTrafficSettingSpec>;

export type Isolation = MeshObject<{ cidr: string[] }>;
export type TrafficWarmup = MeshObject<{ duration?: string; minWeight?: number; maxWeight?: number; aggression?: number; enable?: boolean }>;

// ---- plugin.flomesh.io -----------------------------------------------------------

export type Plugin = MeshObject<{ priority?: number; pipyscript: string }>;
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}
export type PluginChain = MeshObject<{
  chains: { name: string; plugins: string[] }[];
  selectors?: { podSelector?: LabelSelector; namespaceSelector?: LabelSelector };
}>;
export type PluginConfig = MeshObject<{
  plugin: string;
  destinationRefs: { kind: string; name: string; namespace: string }[];
  config: unknown;
}>;

// ---- multicluster.flomesh.io -----------------------------------------------------

export type ServiceImport = MeshObject<{ type?: string; ports: { port: number; protocol?: string; appProtocol?: string; endpoints?: { target: { host?: string; ip: string; port: number; path?: string }; clusterKey: string }[] }[]; serviceAccountName?: string }>;
export type ServiceExport = MeshObject<{ serviceAccountName?: string; rules?: { portNumber: number; path?: string; pathType?: string }[]; targetClusters?: string[] }>;
export type GlobalTrafficPolicy = MeshObject<{ lbType: 'Locality' | 'ActiveActive' | 'FailOver' | string; targets?: { clusterKey: string; weight?: number }[] }>;

// ---- config.flomesh.io ---------------------------------------------------------------

/** MeshConfig spec: see src/model/mesh-config.ts for every field, default and accessor. */
export type MeshConfigObject = MeshObject<Record<string, unknown>>;

/** A kind the model knows: API group/version, kind name, and whether it is namespaced. */
export interface KindInfo {
  readonly apiVersion: string;
  /** Other API versions FSM serves for the kind whose objects have the same shape; accepted as they are. */
  readonly alsoServed?: readonly string[];
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Read in any namespace, meshed or not: control-plane configuration (connectors) and EgressGateways (FSM deploys them in its own namespace). */
  readonly anyNamespace?: boolean;
}

/** Labels and annotations with a meaning in FSM. */
export const Labels = {
  ProxyUUID: 'fsm-proxy-uuid',
  MonitoredBy: 'flomesh.io/monitored-by',
  Ignore: 'flomesh.io/ignore',
  EndpointSliceService: 'kubernetes.io/service-name',
  /** FSM's label on Services that came from a service registry. */
  CloudSourcedService: 'fsm-connector-cloud-sourced-service',
} as const;
