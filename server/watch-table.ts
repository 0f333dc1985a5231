import type { Cancel, NodeInfo } from '../cache/types.js';
import { createOrderedQueue, type OrderedQueue } from './ordered-queue.js';
import type { StreamCore } from './stream-core.js';

/** Per-type watch state common to SotW and delta streams. */
export interface WatchState {
  /** Identifies the current watch; a response from an older watch is ignored. */
  token: object;
  cancel: Cancel | undefined;
  /** Nonce of the last response sent for this type; '' before the first. */
  lastNonce: string;
  /** Version (SotW version_info, delta system_version_info) of the last response sent. */
  lastVersion: string;
}

/** A response waiting to be sent, with the request whose watch produced it. */
export interface Pending<Res, Req> {
  readonly response: Res;
  readonly request: Req;
  readonly token: object;
}

/**
 * A stream's per-type watches and its ADS-ordered send queue. Only the
 * current watch of a type may queue a response; a new watch for the type
 * cancels the old one and drops what it queued (it is superseded).
 */
export class WatchTable<S extends WatchState, Res, Req> {
  readonly states = new Map<string, S>();
  #queue: OrderedQueue<Pending<Res, Req>> = createOrderedQueue();
  readonly #core: StreamCore;

  constructor(core: StreamCore) {
    this.#core = core;
  }

  get queuedBytes(): number {
    return this.#queue.bytes;
  }

  /** Cancels the type's current watch and drops its queued response. */
  supersede(typeUrl: string, state: S): void {
    state.cancel?.();
    state.cancel = undefined;
    this.#queue.drop(typeUrl);
  }

  /**
   * Makes `create` the type's current watch. Its response is queued (with
   * `request`, for callbacks) unless the stream closed, quiesced or moved on
   * to a newer watch; a throw from `create` goes to `core.watchFailed`.
   */
  watch(typeUrl: string, state: S, request: Req, size: (res: Res) => number, create: (respond: (res: Res) => void) => Cancel): void {
    const core = this.#core;
    const token = {};
    state.token = token;
    try {
      state.cancel = create((response) => {
        if (core.closed || core.quiesced || state.token !== token) return;
        this.#queue.put(typeUrl, { response, request, token }, size(response));
        core.scheduleWake();
      });
    } catch (err) {
      core.watchFailed(typeUrl, err);
    }
  }

  /**
   * The next response to send in ADS order, from a current watch (any queued
   * one once quiesced), stamped on its type's state: a fresh nonce and the
   * version it carries (`versionOf`). Undefined once the stream is closed,
   * before its node is known, or when nothing is queued.
   */
  next(versionOf: (response: Res) => string): { node: NodeInfo; typeUrl: string; state: S; pending: Pending<Res, Req>; nonce: string; version: string } | undefined {
    const node = this.#core.node;
    if (this.#core.closed || !node) return undefined;
    for (;;) {
      const next = this.#queue.take();
      if (!next) return undefined;
      const state = this.states.get(next.typeUrl);
      if (!state || (state.token !== next.item.token && !this.#core.quiesced)) continue;
      const nonce = this.#core.nextNonce();
      const version = versionOf(next.item.response);
      state.lastNonce = nonce;
      state.lastVersion = version;
      return { node, typeUrl: next.typeUrl, state, pending: next.item, nonce, version };
    }
  }

  /** Cancels every watch; queued responses stay (quiesce). */
  cancelAll(): void {
    for (const s of this.states.values()) {
      s.token = {};
      const cancel = s.cancel;
      s.cancel = undefined;
      cancel?.();
    }
  }

  /** Cancels every watch and forgets all state and queued responses (close). */
  clear(): void {
    this.cancelAll();
    this.states.clear();
    this.#queue = createOrderedQueue();
  }
}
