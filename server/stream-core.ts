import type { NodeInfo } from '../cache/types.js';
import type { ResponseParts } from './codec/discovery.js';
import { silentLogger, type Logger } from '../src/shared/logger.js';
import { StatusCode, XdsStatusError, isUnknownTypeError, toStatusError } from './errors.js';
import { legacyWildcardAllowed, type PeerInfo, type StreamOptions, type XdsStream } from './stream-types.js';
import { wakeBatches } from './wake-batches.js';

export interface CoreHooks {
  /** Cancels every watch and drops the queue. */
  cancelAll(): void;
  /** onStreamClosed or onDeltaStreamClosed. */
  closedCallback?: ((streamId: number, node?: NodeInfo) => void) | undefined;
}

/**
 * What SotW and delta streams share: node and type URL resolution, guarded
 * callback calls, deferred wake-ups, the unserved-type rule and closing.
 */
export class StreamCore {
  readonly opts: StreamOptions;
  readonly logger: Logger;
  node: NodeInfo | undefined;
  closed = false;
  quiesced = false;
  #nonce = 0;
  #wakeScheduled = false;
  #hooks: CoreHooks;

  constructor(opts: StreamOptions, hooks: CoreHooks) {
    this.opts = opts;
    this.logger = opts.logger ?? silentLogger;
    this.#hooks = hooks;
  }

  /** The next nonce: per stream, shared by all types, strictly increasing. */
  nextNonce(): string {
    return String(++this.#nonce);
  }

  /**
   * Takes the node from the first request and reuses it after; a first
   * request without a node ends the stream with INVALID_ARGUMENT.
   */
  resolveNode(node: NodeInfo | undefined): NodeInfo | undefined {
    if (this.node) return this.node;
    if (!node) {
      this.fail(new XdsStatusError(StatusCode.INVALID_ARGUMENT, 'the first request of a stream must carry a node'));
      return undefined;
    }
    this.node = node;
    this.opts.watcher.streamOpened(this.opts.streamId, node);
    return node;
  }

  /**
   * ADS requires a type URL; a per-type stream fills in its own and refuses
   * any other. Returns undefined after ending the stream.
   */
  resolveType(typeUrl: string): string | undefined {
    const own = this.opts.typeUrl;
    if (own === '') {
      if (typeUrl !== '') return typeUrl;
      this.fail(new XdsStatusError(StatusCode.INVALID_ARGUMENT, 'type URL is required for ADS'));
      return undefined;
    }
    if (typeUrl === '' || typeUrl === own) return own;
    this.fail(new XdsStatusError(StatusCode.INVALID_ARGUMENT, `type URL ${typeUrl} does not match this stream's type ${own}`));
    return undefined;
  }

  /**
   * The common start of every request: drops it once the stream closed or
   * quiesced, resolves node and type URL (ending the stream when they are
   * invalid), fills in the type URL, and runs the request callback. Returns
   * undefined when the request must not be processed further.
   */
  admit<Req extends { readonly node?: NodeInfo | undefined; readonly typeUrl: string }>(
    raw: Req,
    onRequest: ((streamId: number, request: Req) => void) | undefined,
  ): { node: NodeInfo; typeUrl: string; request: Req } | undefined {
    if (this.closed || this.quiesced) return undefined;
    const node = this.resolveNode(raw.node);
    if (!node) return undefined;
    const typeUrl = this.resolveType(raw.typeUrl);
    if (!typeUrl) return undefined;
    const request = raw.typeUrl === typeUrl ? raw : { ...raw, typeUrl };
    if (onRequest && !this.guard(() => onRequest(this.opts.streamId, request))) return undefined;
    return { node, typeUrl, request };
  }

  allowLegacyWildcard(typeUrl: string): boolean {
    return legacyWildcardAllowed(this.opts.legacyWildcard, typeUrl);
  }

  /** Runs a callback; a throw ends the stream with the error's status. Returns false if it threw. */
  guard(fn: () => void, fallback: number = StatusCode.INTERNAL): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      this.fail(toStatusError(err, fallback));
      return false;
    }
  }

  /** Runs the authorizer, if any. Returns false after ending the stream on a denial. */
  authorize(node: NodeInfo, typeUrl: string, resourceNames: readonly string[]): boolean {
    const authorize = this.opts.authorize;
    if (!authorize) return true;
    const cert = this.opts.peer.certificate;
    return this.guard(
      () => authorize({ streamId: this.opts.streamId, node, typeUrl, resourceNames, ...(cert ? { peerCertificate: cert } : {}) }),
      StatusCode.PERMISSION_DENIED,
    );
  }

  /**
   * Handles an error thrown by createWatch. Unknown type: the stream stays
   * open, the type gets no response, and the reason is logged and reported
   * through `onUnservedType` (this Envoy API has no `resource_errors` field
   * to carry it to the client). Anything else ends the stream.
   */
  watchFailed(typeUrl: string, err: unknown): void {
    if (!isUnknownTypeError(err)) {
      this.fail(toStatusError(err));
      return;
    }
    const message = `type URL ${typeUrl} is not served`;
    this.logger.warn(message, { streamId: this.opts.streamId, node: this.node?.id, cause: err instanceof Error ? err.message : String(err) });
    const cb = this.opts.callbacks?.onUnservedType;
    if (cb) this.guard(() => cb(this.opts.streamId, typeUrl, message));
  }

  /**
   * Wakes the transport after the current synchronous run: responses a cache
   * produces in one go (a snapshot touching every type) are all queued before
   * the first is taken, so the queue's ADS order decides what goes first.
   * Many streams woken at once take turns (see wake-batches.ts).
   */
  scheduleWake(): void {
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    wakeBatches.schedule(() => {
      this.#wakeScheduled = false;
      if (!this.closed) this.opts.transport.wake();
    });
  }

  /** Closes this stream and asks the transport to end it with `error`. */
  fail(error: XdsStatusError): void {
    if (this.closed) return;
    this.logger.debug('closing stream', { streamId: this.opts.streamId, code: error.code, details: error.details });
    this.close();
    this.opts.transport.fail(error);
  }

  /** Cancels watches (via the hooks), then tells the watcher and the closed callback. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#hooks.cancelAll();
    const node = this.node;
    if (node) this.#safely('watcher streamClosed', () => this.opts.watcher.streamClosed(this.opts.streamId, node));
    const closedCallback = this.#hooks.closedCallback;
    if (closedCallback) this.#safely('stream closed callback', () => closedCallback(this.opts.streamId, node));
  }

  /** Runs a close-time hook; the stream is gone already, so a failure is only logged. */
  #safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.warn(`${what} failed`, { streamId: this.opts.streamId, error: err instanceof Error ? err.message : String(err) });
    }
  }
}

/**
 * The XdsStream both protocols return: the shared lifecycle (open callback,
 * quiesce, close) around their own `receive` and `takeResponse`.
 */
export function assembleStream<Req>(
  core: StreamCore,
  table: { readonly queuedBytes: number; cancelAll(): void },
  parts: {
    onOpen: ((streamId: number, typeUrl: string, peer: PeerInfo) => void) | undefined;
    receive(request: Req): void;
    takeResponse(): ResponseParts | undefined;
  },
): XdsStream<Req> {
  const { streamId, typeUrl, peer } = core.opts;
  return {
    id: streamId,
    open() {
      const onOpen = parts.onOpen;
      if (onOpen) core.guard(() => onOpen(streamId, typeUrl, peer));
    },
    receive: parts.receive,
    takeResponse: parts.takeResponse,
    queuedBytes: () => table.queuedBytes,
    quiesce() {
      core.quiesced = true;
      table.cancelAll();
    },
    close: () => core.close(),
    get closed() {
      return core.closed;
    },
  };
}
