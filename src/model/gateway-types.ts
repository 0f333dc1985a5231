/**
 * Gateway API (gateway.networking.k8s.io, as gateway-api v1.1 serves it) and
 * FSM gateway policy (gateway.flomesh.io/v1alpha1, FSM 1.3) objects as the
 * model keeps them. Field names are the APIs'; the schemas in
 * kinds/gateway-api.ts and kinds/gateway-policies.ts validate them.
 */
import type { LabelSelector, MeshObject } from './types.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
/** GatewayClass `controllerName` of the classes this controller owns (FSM's). */
export const GATEWAY_CONTROLLER_NAME = 'flomesh.io/gateway-controller';
/** Listener `tls.options` key that turns on client certificate verification (FSM 1.3). */
export const GATEWAY_MTLS_OPTION = 'gateway.flomesh.io/mtls';

/** Model kind names (see KindInfo.kind): TCPRoute and UDPRoute are qualified, SMI owning the bare names. */
export const GatewayKinds = {
  GatewayClass: 'GatewayClass',
  Gateway: 'Gateway',
  HTTPRoute: 'HTTPRoute',
  GRPCRoute: 'GRPCRoute',
  TLSRoute: 'TLSRoute',
  TCPRoute: `TCPRoute.${GATEWAY_API_GROUP}`,
  UDPRoute: `UDPRoute.${GATEWAY_API_GROUP}`,
  ReferenceGrant: 'ReferenceGrant',
} as const;

export const PolicyKinds = {
  RateLimit: 'RateLimitPolicy',
  SessionSticky: 'SessionStickyPolicy',
  LoadBalancer: 'LoadBalancerPolicy',
  CircuitBreaking: 'CircuitBreakingPolicy',
  AccessControl: 'AccessControlPolicy',
  HealthCheck: 'HealthCheckPolicy',
  FaultInjection: 'FaultInjectionPolicy',
  UpstreamTLS: 'UpstreamTLSPolicy',
  Retry: 'RetryPolicy',
} as const;

export type RouteKind = (typeof GatewayKinds)['HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute'];
export const ROUTE_KINDS: readonly RouteKind[] = [GatewayKinds.HTTPRoute, GatewayKinds.GRPCRoute, GatewayKinds.TLSRoute, GatewayKinds.TCPRoute, GatewayKinds.UDPRoute];

export interface ObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

export interface GatewayClassSpec {
  controllerName: string;
  description?: string;
  parametersRef?: ObjectReference;
}
export type GatewayClass = MeshObject<GatewayClassSpec>;

export type ProtocolType = 'HTTP' | 'HTTPS' | 'TLS' | 'TCP' | 'UDP' | string;

export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: ProtocolType;
  tls?: {
    mode?: 'Terminate' | 'Passthrough';
    certificateRefs?: ObjectReference[];
    frontendValidation?: { caCertificateRefs?: ObjectReference[] };
    options?: Record<string, string>;
  };
  allowedRoutes?: {
    namespaces?: { from?: 'All' | 'Same' | 'Selector'; selector?: LabelSelector };
    kinds?: { group?: string; kind: string }[];
  };
}

export interface GatewaySpec {
  gatewayClassName: string;
  listeners: Listener[];
  addresses?: { type?: string; value: string }[];
  infrastructure?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}
export type Gateway = MeshObject<GatewaySpec>;

export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface BackendRef extends ObjectReference {
  port?: number;
  weight?: number;
}

export interface HTTPHeader {
  name: string;
  value: string;
}
export interface HeaderModifier {
  set?: HTTPHeader[];
  add?: HTTPHeader[];
  remove?: string[];
}
export interface PathModifier {
  type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}
export interface HTTPRouteFilter {
  type: 'RequestHeaderModifier' | 'ResponseHeaderModifier' | 'RequestMirror' | 'RequestRedirect' | 'URLRewrite' | 'ExtensionRef';
  requestHeaderModifier?: HeaderModifier;
  responseHeaderModifier?: HeaderModifier;
  requestMirror?: { backendRef: BackendRef };
  requestRedirect?: { scheme?: string; hostname?: string; path?: PathModifier; port?: number; statusCode?: number };
  urlRewrite?: { hostname?: string; path?: PathModifier };
  extensionRef?: { group: string; kind: string; name: string };
}

export interface ValueMatch {
  type?: 'Exact' | 'RegularExpression';
  name: string;
  value: string;
}
export interface HTTPRouteMatch {
  path?: { type?: 'Exact' | 'PathPrefix' | 'RegularExpression'; value?: string };
  headers?: ValueMatch[];
  queryParams?: ValueMatch[];
  method?: string;
}
export interface HTTPBackendRef extends BackendRef {
  filters?: HTTPRouteFilter[];
}
export interface HTTPRouteRule {
  matches?: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
}
export interface HTTPRouteSpec {
  parentRefs?: ParentReference[];
  hostnames?: string[];
  rules?: HTTPRouteRule[];
}
export type HTTPRoute = MeshObject<HTTPRouteSpec>;

export interface GRPCRouteMatch {
  method?: { type?: 'Exact' | 'RegularExpression'; service?: string; method?: string };
  headers?: ValueMatch[];
}
export interface GRPCRouteRule {
  matches?: GRPCRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
}
export interface GRPCRouteSpec {
  parentRefs?: ParentReference[];
  hostnames?: string[];
  rules?: GRPCRouteRule[];
}
export type GRPCRoute = MeshObject<GRPCRouteSpec>;

/** TLSRoute, TCPRoute and UDPRoute (TLSRoute alone has hostnames). */
export interface L4RouteSpec {
  parentRefs?: ParentReference[];
  hostnames?: string[];
  rules?: { backendRefs?: BackendRef[] }[];
}
export type L4Route = MeshObject<L4RouteSpec>;

/** Any route: what attachment and status read. */
export type AnyRoute = MeshObject<{ parentRefs?: ParentReference[]; hostnames?: string[]; rules?: unknown[] }>;

export interface ReferenceGrantSpec {
  from: { group: string; kind: string; namespace: string }[];
  to: { group: string; kind: string; name?: string }[];
}
export type ReferenceGrant = MeshObject<ReferenceGrantSpec>;

/** `targetRef` of every FSM gateway policy (a NamespacedPolicyTargetReference). */
export interface PolicyTargetRef {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface L7RateLimit {
  mode?: 'Local' | 'Global';
  backlog?: number;
  requests: number;
  burst?: number;
  statTimeWindow: number;
  responseStatusCode?: number;
  responseHeadersToAdd?: HTTPHeader[];
}
export interface RateLimitPolicySpec {
  targetRef: PolicyTargetRef;
  ports?: { port: number; bps?: number }[];
  bps?: number;
  hostnames?: { hostname: string; config?: L7RateLimit }[];
  http?: { match: HTTPRouteMatch; config?: L7RateLimit }[];
  grpc?: { match: GRPCRouteMatch; config?: L7RateLimit }[];
  config?: L7RateLimit;
}

export interface AccessControlConfig {
  blacklist?: string[];
  whitelist?: string[];
  enableXFF?: boolean;
  statusCode?: number;
  message?: string;
}
export interface AccessControlPolicySpec {
  targetRef: PolicyTargetRef;
  ports?: { port: number; config?: AccessControlConfig }[];
  hostnames?: { hostname: string; config?: AccessControlConfig }[];
  http?: { match: HTTPRouteMatch; config?: AccessControlConfig }[];
  grpc?: { match: GRPCRouteMatch; config?: AccessControlConfig }[];
  config?: AccessControlConfig;
}

export interface FaultInjectionConfig {
  delay?: { percent?: number; fixed?: number; range?: { min: number; max: number }; unit?: string };
  abort?: { percent?: number; statusCode?: number; message?: string };
}
export interface FaultInjectionPolicySpec {
  targetRef: PolicyTargetRef;
  hostnames?: { hostname: string; config?: FaultInjectionConfig }[];
  http?: { match: HTTPRouteMatch; config?: FaultInjectionConfig }[];
  grpc?: { match: GRPCRouteMatch; config?: FaultInjectionConfig }[];
  config?: FaultInjectionConfig;
  unit?: string;
}

/** The service-port policies: a config per port of the target Service, with a default. */
export interface PortPolicySpec<C> {
  targetRef: PolicyTargetRef;
  ports?: { port: number; config?: C }[];
  config?: C;
}
export interface SessionStickyConfig {
  cookieName?: string;
  expires?: number;
}
export interface CircuitBreakingConfig {
  minRequestAmount: number;
  statTimeWindow: number;
  slowTimeThreshold?: number;
  slowAmountThreshold?: number;
  slowRatioThreshold?: number;
  errorAmountThreshold?: number;
  errorRatioThreshold?: number;
  degradedTimeWindow: number;
  degradedStatusCode: number;
  degradedResponseContent?: string;
}
export interface HealthCheckConfig {
  interval: number;
  maxFails: number;
  failTimeout?: number;
  path?: string;
  matches?: { statusCodes?: number[]; body?: string; headers?: HTTPHeader[] }[];
}
export interface UpstreamTLSConfig {
  certificateRef: ObjectReference;
  mTLS?: boolean;
}
export interface RetryConfig {
  retryOn: string[];
  numRetries?: number;
  backoffBaseInterval?: number;
}
export interface LoadBalancerPolicySpec {
  targetRef: PolicyTargetRef;
  ports?: { port: number; type?: string }[];
  type?: string;
}

/** A condition as the Gateway API's status blocks carry it (metav1.Condition without lastTransitionTime, which the writer adds). */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
}
