import type { Resource } from './resource.js';

/** Well-known xDS type URLs. */
export const TypeUrl = {
  Cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  Endpoint: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  Listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  Route: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  ScopedRoute: 'type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration',
  VirtualHost: 'type.googleapis.com/envoy.config.route.v3.VirtualHost',
  Secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
  Runtime: 'type.googleapis.com/envoy.service.runtime.v3.Runtime',
  ExtensionConfig: 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig',
  PipySidecarConfig: 'type.googleapis.com/fsm.pipy.v1.SidecarConfig',
  PipyCodebase: 'type.googleapis.com/fsm.pipy.v1.Codebase',
} as const;

/**
 * Send order for ADS: CDS, EDS, LDS, RDS, then SDS and the rest (by type URL).
 * Lower sorts first.
 */
export const ADS_ORDER: readonly string[] = [
  TypeUrl.Cluster,
  TypeUrl.Endpoint,
  TypeUrl.Listener,
  TypeUrl.Route,
  TypeUrl.ScopedRoute,
  TypeUrl.VirtualHost,
  TypeUrl.Secret,
  TypeUrl.Runtime,
  TypeUrl.ExtensionConfig,
];

/** Types whose SotW responses must always carry the full subscribed set (absence means deletion). */
export function requiresFullStateInSotw(typeUrl: string): boolean {
  return typeUrl === TypeUrl.Cluster || typeUrl === TypeUrl.Listener;
}

/** The node identity a client sends on the first request of a stream. */
export interface NodeInfo {
  readonly id: string;
  readonly cluster: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly userAgentName?: string;
  readonly userAgentVersion?: string;
}

/** Computes the cache key of a node; nodes with the same key share a snapshot. */
export type NodeHash = (node: NodeInfo) => string;

/** The default node hash: the node id. */
export const idHash: NodeHash = (node) => node.id;

/**
 * What a stream asks of the cache for one type. Built by the server from a
 * DiscoveryRequest after stale-nonce and ACK/NACK handling: on a NACK the
 * server passes the version it sent (the rejected one) as `versionInfo`, so a
 * cache never resends a rejected version and answers only when it changes.
 */
export interface WatchRequest {
  readonly node: NodeInfo;
  readonly typeUrl: string;
  /** SotW: the version the client holds (or the rejected version after a NACK); "" when none. */
  readonly versionInfo: string;
  /** Answer even when nothing changed (EDS after CDS on ADS, first delta wildcard reply). */
  readonly respondIfUnchanged?: boolean;
}

/**
 * The per-stream, per-type subscription state owned by the server. Caches
 * read it and never mutate it.
 */
export interface Subscription {
  /** Wildcard: explicit "*", or the legacy empty first request where allowed. */
  readonly wildcard: boolean;
  /** Explicitly subscribed names (without "*"). */
  readonly names: ReadonlySet<string>;
  /**
   * What the client holds: name to version. SotW: the resources sent on this
   * stream with their versions. Delta: `initial_resource_versions` plus what
   * was sent; a name mapped to "" must be resent or reported removed.
   */
  readonly returned: ReadonlyMap<string, string>;
}

/**
 * A state-of-the-world answer. Caches return the same object to every watch
 * that gets identical content, so the server can encode it once and share the
 * bytes; treat it as immutable.
 */
export interface SotwResponse {
  readonly typeUrl: string;
  /** version_info of the DiscoveryResponse. */
  readonly version: string;
  readonly resources: readonly Resource[];
  /** What the client holds after this response (name to resource version). */
  readonly returned: ReadonlyMap<string, string>;
}

/** An incremental answer for one delta stream. */
export interface DeltaResponse {
  readonly typeUrl: string;
  /** system_version_info (debugging only). */
  readonly systemVersion: string;
  readonly resources: readonly Resource[];
  readonly removed: readonly string[];
  /** What the client holds after this response (name to resource version). */
  readonly returned: ReadonlyMap<string, string>;
}

/** Cancels a watch. Idempotent; safe to call after the watch fired. */
export type Cancel = () => void;

/** Per-type progress the server reports so caches can keep per-node status. */
export interface TypeProgress {
  readonly typeUrl: string;
  /** For `sent`: the version sent and its nonce. For `ack`/`nack`: the version the client reports and the nonce it answers. */
  readonly version: string;
  readonly nonce: string;
  /** The client's error text, for `nack`. */
  readonly error?: string;
}

/**
 * The narrow interface the server uses (and the only one it knows): one-shot
 * watches plus stream lifecycle notifications.
 *
 * Watches are one-shot: `respond` is called at most once, either
 * synchronously inside `createWatch` or later when the content changes. The
 * server creates the next watch after the client's next request (normally the
 * ACK), so at most one response per type is in flight on a stream.
 */
export interface ConfigWatcher {
  createWatch(req: WatchRequest, sub: Subscription, respond: (res: SotwResponse) => void): Cancel;
  createDeltaWatch(req: WatchRequest, sub: Subscription, respond: (res: DeltaResponse) => void): Cancel;
  /** A stream for `node` opened. */
  streamOpened(streamId: number, node: NodeInfo): void;
  /** A stream closed; after the last stream of a node without a snapshot closes, its state is dropped. */
  streamClosed(streamId: number, node: NodeInfo): void;
  /** A request or response happened on a stream; caches record it in per-node status. */
  recordProgress(node: NodeInfo, event: 'request' | 'sent' | 'ack' | 'nack', progress: TypeProgress): void;
}

/**
 * Thrown by `createWatch`/`createDeltaWatch` when a cache does not serve the
 * requested type URL (a linear cache asked for another type, a mux cache
 * without a sub-cache for the request). The server should end the stream with
 * a clear status (e.g. INVALID_ARGUMENT / UNIMPLEMENTED) naming `typeUrl`.
 */
export class UnknownTypeError extends Error {
  override readonly name = 'UnknownTypeError';
  readonly typeUrl: string;

  constructor(typeUrl: string, detail?: string) {
    super(`type ${typeUrl || '(empty)'} is not served by this cache${detail ? `: ${detail}` : ''}`);
    this.typeUrl = typeUrl;
  }
}
