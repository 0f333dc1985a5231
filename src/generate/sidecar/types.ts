/**
 * The Pipy sidecar configuration document (FSM's `PipyConf`), field by field
 * as FSM's sidecar scripts read it (fsm-compat.md §2; keys checked against
 * `pkg/sidecar/v1/providers/pipy/repo/types.go` and `ratelimit.go`). Keys are
 * the Go field names or their JSON tags; optional members are the ones Go
 * marks `omitempty`. Generators build these plain objects; serialisation
 * (canonical key order) happens once in sidecar-config.ts.
 */

/** `{clusterName: weight}`. */
export type WeightedClusters = Record<string, number>;

export interface HTTPLocalRateLimit {
  Requests: number;
  /** Seconds: `unit` second/minute/hour → 1/60/3600. */
  StatTimeWindow: number;
  Burst?: number;
  ResponseStatusCode?: number;
  ResponseHeadersToAdd?: { Name: string; Value: string }[];
}
export interface TCPLocalRateLimit {
  Connections: number;
  StatTimeWindow: number;
  Burst?: number;
}

export interface HTTPMatchRule {
  Path: string;
  Type: 'Regex' | 'Exact' | 'Prefix';
  Headers?: Record<string, string>;
  /** Absent means any method. */
  Methods?: string[];
}
export interface HTTPRouteRule extends HTTPMatchRule {
  TargetClusters: WeightedClusters;
  /** `<sa>.<ns>` identities; absent means any identity. */
  AllowedServices?: string[];
}
export interface InboundHTTPRouteRule extends HTTPRouteRule {
  RateLimit?: { Local?: HTTPLocalRateLimit };
}

export interface HTTPRouteRuleRef {
  RuleName: string;
  Service?: string;
}

export interface InboundHTTPRouteRules {
  RouteRules: InboundHTTPRouteRule[];
  Plugins?: Record<string, unknown>;
  RateLimit?: { Local?: HTTPLocalRateLimit };
  /** Source IP → `<sa>.<ns>` of the pods allowed by SMI (absent in permissive mode). */
  AllowedEndpoints?: Record<string, string>;
}

export interface SourceSecuritySpec {
  mTLS: boolean;
  SkipClientCertValidation: boolean;
  AuthenticatedPrincipals: string[] | null;
}

export interface InboundTrafficMatch {
  Port: number;
  Protocol: string;
  SourceIPRanges?: Record<string, SourceSecuritySpec | null>;
  HttpHostPort2Service?: Record<string, HTTPRouteRuleRef>;
  HttpServiceRouteRules?: Record<string, InboundHTTPRouteRules>;
  TcpServiceRouteRules?: { TargetClusters: WeightedClusters; Plugins?: Record<string, unknown> };
  RateLimit?: { Local?: TCPLocalRateLimit };
}

export interface InboundTrafficPolicy {
  TrafficMatches: Record<string, InboundTrafficMatch>;
  ClustersConfigs: Record<string, Record<string, number>>;
}

export interface Certificate {
  FsmIssued?: boolean;
  CommonName?: string;
  SubjectAltNames?: string[];
  /** `YYYY-MM-DD HH:MM:SS` (UTC, no zone, Go layout `2006-01-02 15:04:05`). */
  Expiration: string;
  CertChain: string;
  PrivateKey: string;
  IssuingCA: string;
}

export interface OutboundHTTPRouteRules {
  RouteRules: HTTPRouteRule[];
  EgressForwardGateway?: string;
  Plugins?: Record<string, unknown>;
}
export interface OutboundTCPServiceRouteRules {
  TargetClusters: WeightedClusters;
  AllowedEgressTraffic: boolean;
  EgressForwardGateway?: string;
  Plugins?: Record<string, unknown>;
}
export interface OutboundTrafficMatch {
  DestinationIPRanges: Record<string, { SourceCert?: Certificate } | null> | null;
  Port: number;
  Protocol: string;
  HttpHostPort2Service?: Record<string, HTTPRouteRuleRef>;
  HttpServiceRouteRules?: Record<string, OutboundHTTPRouteRules>;
  TcpServiceRouteRules?: OutboundTCPServiceRouteRules;
}

export interface WeightedZoneEndpoint {
  Weight: number;
  Key?: string;
  Path?: string;
  ViaGateway?: string;
}

export interface HTTPCircuitBreaking {
  StatTimeWindow: number | null;
  MinRequestAmount: number;
  DegradedTimeWindow: number | null;
  SlowTimeThreshold?: number;
  SlowAmountThreshold?: number;
  SlowRatioThreshold?: number;
  ErrorAmountThreshold?: number;
  ErrorRatioThreshold?: number;
  DegradedStatusCode?: number;
  DegradedResponseContent?: string;
}
export interface ConnectionSettings {
  tcp?: { MaxConnections?: number; ConnectTimeout?: number };
  http?: {
    MaxRequests?: number;
    MaxRequestsPerConnection?: number;
    MaxPendingRequests?: number;
    MaxRetries?: number;
    CircuitBreaking?: HTTPCircuitBreaking;
  };
}
export interface RetryPolicy {
  RetryOn: string;
  /** Seconds. */
  PerTryTimeout: number | null;
  NumRetries: number | null;
  RetryBackoffBaseInterval: number | null;
}
export interface ClusterConfig {
  Endpoints: Record<string, WeightedZoneEndpoint>;
  ConnectionSettings?: ConnectionSettings;
  RetryPolicy?: RetryPolicy;
  SourceCert?: Certificate;
}

export interface OutboundTrafficPolicy {
  /** A list per port: several HTTP services share one match, TCP services get one each. */
  TrafficMatches: Record<string, OutboundTrafficMatch[]>;
  ClustersConfigs: Record<string, ClusterConfig>;
}

export interface ForwardTrafficPolicy {
  ForwardMatches: Record<string, WeightedClusters>;
  EgressGateways: Record<string, ClusterConfig & { Mode: string }>;
}

export interface MeshConfigSpecBlock {
  ServiceIdentity: string;
  SidecarLogLevel: string;
  SidecarTimeout: number;
  Traffic: {
    EnableEgress: boolean;
    HTTP1PerRequestLoadBalancing: boolean;
    HTTP2PerRequestLoadBalancing: boolean;
  };
  FeatureFlags: { EnableSidecarActiveHealthChecks: boolean; EnableAutoDefaultRoute: boolean };
  Probes: { ReadinessProbes?: unknown[]; LivenessProbes?: unknown[]; StartupProbes?: unknown[] };
  ClusterSet?: Record<string, string>;
  Observability: {
    tracing?: { address?: string; endpoint?: string; sampledFraction?: string };
    remoteLogging?: { level?: number; address?: string; endpoint?: string; authorization?: string; sampledFraction?: string };
  };
}

/** The whole document. `Ts`/`Version` are filled last and excluded from the hash. */
export interface PipyConf {
  Ts?: string;
  Version?: string;
  Metrics: boolean;
  Spec: MeshConfigSpecBlock;
  Certificate: Certificate | null;
  Inbound: InboundTrafficPolicy | null;
  Outbound: OutboundTrafficPolicy | null;
  Forward?: ForwardTrafficPolicy;
  AllowedEndpoints: Record<string, string>;
  Chains?: Record<string, string[]>;
}

/** A policy that could not be applied: reported with FSM's error code; the rest still generates. */
export type { GenerationProblem } from '../generator.js';
