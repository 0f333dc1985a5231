import type { PeerCertificate } from 'node:tls';
import type { ConfigWatcher, NodeInfo } from '../cache/types.js';
import type { Resource } from '../cache/resource.js';
import type { Logger } from '../src/shared/logger.js';
import type { DeltaDiscoveryRequestMessage, DiscoveryRequestMessage, ResponseParts } from './codec/discovery.js';
import type { XdsStatusError } from './errors.js';

/** Who is on the other end of a stream. */
export interface PeerInfo {
  /** `host:port` as the transport reports it. */
  readonly address: string;
  /** The client's TLS certificate when the connection is mutual TLS. */
  readonly certificate?: PeerCertificate;
}

/** What a SotW stream sent, as callbacks see it (the bytes themselves are shared and not exposed). */
export interface SotwResponseInfo {
  readonly typeUrl: string;
  readonly versionInfo: string;
  readonly nonce: string;
  readonly resources: readonly Resource[];
}

/** What a delta stream sent. */
export interface DeltaResponseInfo {
  readonly typeUrl: string;
  readonly systemVersionInfo: string;
  readonly nonce: string;
  readonly resources: readonly Resource[];
  readonly removedResources: readonly string[];
}

/**
 * Stream lifecycle hooks, all optional and called synchronously on the
 * stream's turn of the event loop. An exception thrown by a hook closes THAT
 * stream with a gRPC status (the error's numeric `code`, else INTERNAL);
 * other streams are unaffected. `onStreamClosed`/`onDeltaStreamClosed` are
 * called once per opened stream, after its watches were cancelled; their
 * exceptions are logged and ignored (the stream is already gone).
 */
export interface XdsCallbacks {
  /** A SotW stream opened; `typeUrl` is '' for ADS. */
  onStreamOpen?(streamId: number, typeUrl: string, peer: PeerInfo): void;
  onStreamClosed?(streamId: number, node?: NodeInfo): void;
  /** Every request, before stale-nonce and ACK/NACK handling (a NACK has `errorDetail`). */
  onStreamRequest?(streamId: number, request: DiscoveryRequestMessage): void;
  /** Just before a response is written; `request` is the one that created the answered watch. */
  onStreamResponse?(streamId: number, request: DiscoveryRequestMessage | undefined, response: SotwResponseInfo): void;
  onDeltaStreamOpen?(streamId: number, typeUrl: string, peer: PeerInfo): void;
  onDeltaStreamClosed?(streamId: number, node?: NodeInfo): void;
  onDeltaStreamRequest?(streamId: number, request: DeltaDiscoveryRequestMessage): void;
  onDeltaStreamResponse?(streamId: number, request: DeltaDiscoveryRequestMessage | undefined, response: DeltaResponseInfo): void;
  /**
   * A client asked for a type URL the cache does not serve. The stream stays
   * open and its other types keep working; this type gets no response.
   */
  onUnservedType?(streamId: number, typeUrl: string, message: string): void;
  /** A new stream was refused by the `maxStreams` limit (RESOURCE_EXHAUSTED); exceptions are logged and ignored. */
  onStreamRejected?(peer: PeerInfo, reason: string): void;
  /**
   * A response was not delivered: a write to the call failed, or the server
   * cancelled the stream because the client stopped reading (RESOURCE_EXHAUSTED
   * after the send timeout). `typeUrl` is the stream's type ('' for ADS: the
   * transport sees encoded bytes, not which type they answer). When the server
   * ends the stream for it, this is called before the close callback. Called
   * at most once per failure; exceptions are logged and ignored.
   */
  onSendError?(streamId: number, typeUrl: string, reason: string): void;
}

/** What the authorizer sees for each request that (re)subscribes. */
export interface AuthorizeContext {
  readonly streamId: number;
  readonly peerCertificate?: PeerCertificate;
  readonly node: NodeInfo;
  readonly typeUrl: string;
  /** SotW: the request's names; delta: the names being subscribed (plus initial versions' names on the first request). */
  readonly resourceNames: readonly string[];
}

/**
 * Decides whether a stream may subscribe. Return to allow; throw to deny, which
 * ends the stream with the error's `code` (PERMISSION_DENIED when it has none)
 * and its message as details. Called synchronously before each watch.
 */
export type Authorizer = (ctx: AuthorizeContext) => void;

/** Legacy wildcard (an empty first request means "everything"): on, off, or on except for some types. */
export type LegacyWildcardOption = boolean | { readonly disabledTypes: readonly string[] };

export function legacyWildcardAllowed(option: LegacyWildcardOption | undefined, typeUrl: string): boolean {
  if (option === undefined || option === true) return true;
  if (option === false) return false;
  return !option.disabledTypes.includes(typeUrl);
}

/** What a state machine needs from its transport. */
export interface StreamTransport {
  /** Responses are queued: call `takeResponse()` while the connection can take more. */
  wake(): void;
  /** End the stream with this status. The state machine has already closed itself. */
  fail(error: XdsStatusError): void;
}

/** Options shared by SotW and delta state machines. */
export interface StreamOptions {
  readonly streamId: number;
  /** The stream's type: '' for ADS, else the per-type service's type URL. */
  readonly typeUrl: string;
  readonly peer: PeerInfo;
  readonly watcher: ConfigWatcher;
  readonly transport: StreamTransport;
  readonly callbacks?: XdsCallbacks;
  readonly logger?: Logger;
  /** Default: true (legacy wildcard allowed for every type). Turn off for gRPC clients. */
  readonly legacyWildcard?: LegacyWildcardOption;
  readonly authorize?: Authorizer;
}

/**
 * A transport-independent xDS stream. The transport feeds decoded requests
 * to `receive`, and writes what `takeResponse` returns, in that order, while
 * its connection accepts more. Nonces are assigned at take time, so they
 * increase in the order responses hit the wire.
 */
export interface XdsStream<Req> {
  readonly id: number;
  /** Calls the open callback; a throw ends the stream. */
  open(): void;
  /** Handles one request. Protocol errors end the stream through `transport.fail`. */
  receive(request: Req): void;
  /** The next response's message (its parts), or undefined when nothing is queued. */
  takeResponse(): ResponseParts | undefined;
  /** Estimated bytes of the queued (not yet taken) responses. */
  queuedBytes(): number;
  /** Stops watching: no new responses are queued; queued ones can still be taken. */
  quiesce(): void;
  /** Cancels every watch, drops the queue and reports the close. Idempotent. */
  close(): void;
  readonly closed: boolean;
}
