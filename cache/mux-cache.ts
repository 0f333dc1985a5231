import { UnknownTypeError, type Cancel, type ConfigWatcher, type WatchRequest } from './types.js';

export interface MuxCacheOptions {
  /** Sub-caches by routing key (by default, by type URL). One cache may appear under several keys. */
  readonly caches: Readonly<Record<string, ConfigWatcher>>;
  /** Routing key of a request; default: its type URL. */
  readonly classify?: (req: WatchRequest) => string;
}

/** A ConfigWatcher that routes each watch to one sub-cache. */
export interface MuxCache extends ConfigWatcher {
  /** The distinct sub-caches (lifecycle hooks reach each once). */
  readonly caches: readonly ConfigWatcher[];
}

/**
 * Routes watches by `classify(req)` (default: type URL), e.g. a snapshot
 * cache for LDS/RDS/CDS and a linear cache for EDS. A request whose key has
 * no sub-cache throws UnknownTypeError. Stream lifecycle and progress hooks
 * fan out to every distinct sub-cache, so each keeps its own node state.
 */
export function createMuxCache(options: MuxCacheOptions): MuxCache {
  const classify = options.classify ?? ((req: WatchRequest) => req.typeUrl);
  const routes = new Map(Object.entries(options.caches));
  const distinct = [...new Set(routes.values())];

  const route = (req: WatchRequest): ConfigWatcher => {
    const key = classify(req);
    const cache = routes.get(key);
    if (!cache) {
      throw new UnknownTypeError(req.typeUrl, `no cache for key "${key}" (known: ${[...routes.keys()].join(', ') || 'none'})`);
    }
    return cache;
  };

  return {
    caches: distinct,
    createWatch: (req, sub, respond): Cancel => route(req).createWatch(req, sub, respond),
    createDeltaWatch: (req, sub, respond): Cancel => route(req).createDeltaWatch(req, sub, respond),
    streamOpened(streamId, node) {
      for (const c of distinct) c.streamOpened(streamId, node);
    },
    streamClosed(streamId, node) {
      for (const c of distinct) c.streamClosed(streamId, node);
    },
    recordProgress(node, event, progress) {
      for (const c of distinct) c.recordProgress(node, event, progress);
    },
  };
}
