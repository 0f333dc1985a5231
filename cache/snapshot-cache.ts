import { silentLogger, type Logger } from '../src/shared/logger.js';
import { orderByAds } from './ads-order.js';
import { computeDeltaResponse } from './delta-response.js';
import { createStatusRegistry, type NodeStatus } from './node-status.js';
import { createResourceView, type ResourceView } from './resource-view.js';
import type { Snapshot } from './snapshot.js';
import { computeSotwResponse } from './sotw-response.js';
import {
  idHash,
  UnknownTypeError,
  type Cancel,
  type ConfigWatcher,
  type DeltaResponse,
  type NodeHash,
  type SotwResponse,
  type Subscription,
  type WatchRequest,
} from './types.js';

export interface SnapshotCacheOptions {
  /** Maps a node to its snapshot key; default: the node id. */
  readonly nodeHash?: NodeHash;
  readonly logger?: Logger;
  /** Answer pending watches in ADS_ORDER on setSnapshot (default true). */
  readonly ads?: boolean;
  /** Time source for status (ms); default Date.now. */
  readonly clock?: () => number;
  /** Disconnected nodes whose status is kept per key that has a snapshot (default 16). */
  readonly maxDisconnectedNodesPerKey?: number;
}

/**
 * A cache of one snapshot per node key, serving the server through
 * ConfigWatcher and producers through the methods below. All methods run
 * synchronously; `respond` callbacks run inside them and may re-enter the
 * cache (create or cancel watches, set snapshots).
 */
export interface SnapshotCache extends ConfigWatcher {
  /**
   * Replaces the snapshot of `key` (validation is the producer's job, see
   * Snapshot.checkConsistent) and answers every pending watch of the nodes
   * mapped to `key` that the new content makes due, in ADS order (CDS, EDS,
   * LDS, RDS, …). Work is proportional to the pending watches of `key`.
   */
  setSnapshot(key: string, snapshot: Snapshot): void;
  getSnapshot(key: string): Snapshot | undefined;
  /**
   * Forgets the snapshot of `key`. Pending watches of that key stay open and
   * are answered when a snapshot is set again (they are cancelled only by the
   * server); status of disconnected nodes of the key is dropped.
   */
  clearSnapshot(key: string): void;
  /** Keys with at least one node that is connected, has a pending watch, or is retained after disconnecting. */
  statusKeys(): string[];
  /** Status of every known node mapped to `key` (copies). */
  nodeStatus(key: string): NodeStatus[];
  /** Pending watches of `key`, or of all keys. */
  numWatches(key?: string): number;
}

type PendingWatch = {
  readonly id: number;
  readonly key: string;
  readonly req: WatchRequest;
  readonly sub: Subscription;
  active: boolean;
  /** Uncounts the watch in node status. */
  readonly release: () => void;
} & (
  | { readonly kind: 'sotw'; readonly respond: (res: SotwResponse) => void }
  | { readonly kind: 'delta'; readonly respond: (res: DeltaResponse) => void }
);

/**
 * Views (and therefore memoised responses) are per snapshot object and shared
 * by every cache and key that holds that snapshot; they go away with it.
 */
const viewsBySnapshot = new WeakMap<Snapshot, Map<string, ResourceView>>();

function viewOf(snapshot: Snapshot, typeUrl: string): ResourceView {
  let views = viewsBySnapshot.get(snapshot);
  if (!views) viewsBySnapshot.set(snapshot, (views = new Map()));
  let view = views.get(typeUrl);
  if (!view) {
    view = createResourceView(typeUrl, snapshot.version(typeUrl), snapshot.resources(typeUrl));
    views.set(typeUrl, view);
  }
  return view;
}

const NO_OP: Cancel = () => {};

export function createSnapshotCache(options: SnapshotCacheOptions = {}): SnapshotCache {
  const nodeHash = options.nodeHash ?? idHash;
  const logger = options.logger ?? silentLogger;
  const ads = options.ads ?? true;
  const snapshots = new Map<string, Snapshot>();
  const watches = new Map<string, Map<number, PendingWatch>>();
  const status = createStatusRegistry({
    clock: options.clock ?? Date.now,
    hasSnapshot: (key) => snapshots.has(key),
    maxDisconnectedPerKey: options.maxDisconnectedNodesPerKey ?? 16,
  });
  let nextWatchId = 1;

  const checkType = (req: WatchRequest): void => {
    if (!req.typeUrl) throw new UnknownTypeError(req.typeUrl, 'a watch needs a type URL');
  };

  /** The response `w` is due against `snapshot`, or undefined. */
  const evaluate = (w: PendingWatch, snapshot: Snapshot): SotwResponse | DeltaResponse | undefined => {
    const view = viewOf(snapshot, w.req.typeUrl);
    return w.kind === 'sotw' ? computeSotwResponse(view, w.req, w.sub) : computeDeltaResponse(view, w.req, w.sub);
  };

  const remove = (w: PendingWatch): void => {
    if (!w.active) return;
    w.active = false;
    const byId = watches.get(w.key);
    byId?.delete(w.id);
    if (byId?.size === 0) watches.delete(w.key);
    w.release();
  };

  const deliver = (w: PendingWatch, res: SotwResponse | DeltaResponse): void => {
    remove(w);
    try {
      if (w.kind === 'sotw') w.respond(res as SotwResponse);
      else w.respond(res as DeltaResponse);
    } catch (err) {
      logger.error('watch callback threw', { key: w.key, typeUrl: w.req.typeUrl, error: String(err) });
    }
  };

  const watch = (kind: 'sotw' | 'delta', req: WatchRequest, sub: Subscription, respond: (res: never) => void): Cancel => {
    checkType(req);
    const key = nodeHash(req.node);
    const snapshot = snapshots.get(key);
    const release = status.watchAdded(key, req.node, req.typeUrl);
    const w = { id: nextWatchId++, key, req, sub, active: true, release, kind, respond } as PendingWatch;
    const res = snapshot ? evaluate(w, snapshot) : undefined;
    if (res) {
      deliver(w, res);
      return NO_OP;
    }
    let byId = watches.get(key);
    if (!byId) watches.set(key, (byId = new Map()));
    byId.set(w.id, w);
    return () => remove(w);
  };

  return {
    createWatch: (req, sub, respond) => watch('sotw', req, sub, respond),
    createDeltaWatch: (req, sub, respond) => watch('delta', req, sub, respond),

    setSnapshot(key, snapshot) {
      snapshots.set(key, snapshot);
      const pending = watches.get(key);
      if (!pending) return;
      const all = [...pending.values()];
      const ordered = ads ? orderByAds(all, (w) => w.req.typeUrl) : all;
      let answered = 0;
      for (const w of ordered) {
        // A callback may have set or cleared this key's snapshot: always answer from the current one.
        const current = snapshots.get(key);
        if (!current) break;
        if (!w.active) continue;
        const res = evaluate(w, current);
        if (!res) continue;
        deliver(w, res);
        answered++;
      }
      logger.debug('snapshot set', { key, pending: all.length, answered });
    },
    getSnapshot: (key) => snapshots.get(key),
    clearSnapshot(key) {
      snapshots.delete(key);
      status.settleKey(key);
    },
    statusKeys: () => status.keys(),
    nodeStatus: (key) => status.nodes(key),
    numWatches(key) {
      if (key !== undefined) return watches.get(key)?.size ?? 0;
      let n = 0;
      for (const byId of watches.values()) n += byId.size;
      return n;
    },

    streamOpened: (streamId, node) => status.streamOpened(nodeHash(node), streamId, node),
    streamClosed: (streamId, node) => status.streamClosed(nodeHash(node), streamId, node),
    recordProgress: (node, event, progress) => status.record(nodeHash(node), node, event, progress),
  };
}
