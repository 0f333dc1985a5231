import { compareAdsOrder } from './ads-order.js';
import type { NodeInfo, TypeProgress } from './types.js';

/** The last NACK of one type by one node. */
export interface NackInfo {
  readonly version: string;
  readonly error: string;
  readonly time: number;
}

/** Progress of one type on one node ("" where nothing happened yet). */
export interface TypeStatus {
  readonly typeUrl: string;
  readonly versionSent: string;
  readonly nonceSent: string;
  readonly versionAcked: string;
  readonly lastNack?: NackInfo;
  /** Watches of this node and type waiting in the cache. */
  readonly watches: number;
}

/** A copy of one node's state; later changes do not show through. */
export interface NodeStatus {
  readonly node: NodeInfo;
  /** Open streams of this node (0 for a retained, disconnected node). */
  readonly streams: number;
  /** Clock time of the last request or watch; undefined when none yet. */
  readonly lastRequestTime: number | undefined;
  readonly types: readonly TypeStatus[];
}

export interface StatusRegistryOptions {
  readonly clock: () => number;
  /** Whether a snapshot is set for the key (disconnected nodes of such keys are kept, bounded). */
  readonly hasSnapshot: (key: string) => boolean;
  /** How many disconnected nodes to keep per key with a snapshot; oldest go first. */
  readonly maxDisconnectedPerKey: number;
}

/** Per-key, per-node status; see createStatusRegistry. */
export interface StatusRegistry {
  keys(): string[];
  nodes(key: string): NodeStatus[];
  streamOpened(key: string, streamId: number, node: NodeInfo): void;
  streamClosed(key: string, streamId: number, node: NodeInfo): void;
  record(key: string, node: NodeInfo, event: 'request' | 'sent' | 'ack' | 'nack', progress: TypeProgress): void;
  /** Counts a pending watch; the returned function uncounts it (call exactly once). */
  watchAdded(key: string, node: NodeInfo, typeUrl: string): () => void;
  /** Re-evaluates retention of every node of `key` (after its snapshot was cleared). */
  settleKey(key: string): void;
}

interface MutableTypeStatus {
  versionSent: string;
  nonceSent: string;
  versionAcked: string;
  lastNack: NackInfo | undefined;
  watches: number;
}

interface NodeEntry {
  node: NodeInfo;
  readonly streams: Set<number>;
  lastRequestTime: number | undefined;
  readonly types: Map<string, MutableTypeStatus>;
  watches: number;
}

interface KeyGroup {
  readonly nodes: Map<string, NodeEntry>;
  /** Ids of retained disconnected nodes, oldest first. */
  readonly disconnected: Set<string>;
}

/**
 * Node status that cannot outgrow the connected fleet: a node's entry lives
 * while it has an open stream or a pending watch. After that it is dropped,
 * unless its key has a snapshot, in which case it is kept for inspection (the
 * last NACK of a proxy that went away is useful) up to
 * `maxDisconnectedPerKey` per key, and dropped when the snapshot is cleared.
 * A key with no node entries is not listed.
 */
export function createStatusRegistry(options: StatusRegistryOptions): StatusRegistry {
  const groups = new Map<string, KeyGroup>();

  const entryFor = (key: string, node: NodeInfo): { group: KeyGroup; entry: NodeEntry } => {
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { nodes: new Map(), disconnected: new Set() }));
    let entry = group.nodes.get(node.id);
    if (!entry) {
      entry = { node, streams: new Set(), lastRequestTime: undefined, types: new Map(), watches: 0 };
      group.nodes.set(node.id, entry);
    }
    return { group, entry };
  };

  const typeFor = (entry: NodeEntry, typeUrl: string): MutableTypeStatus => {
    let t = entry.types.get(typeUrl);
    if (!t) {
      t = { versionSent: '', nonceSent: '', versionAcked: '', lastNack: undefined, watches: 0 };
      entry.types.set(typeUrl, t);
    }
    return t;
  };

  const settle = (key: string, group: KeyGroup, entry: NodeEntry): void => {
    const id = entry.node.id;
    if (entry.streams.size > 0 || entry.watches > 0) {
      group.disconnected.delete(id);
      return;
    }
    if (options.hasSnapshot(key) && options.maxDisconnectedPerKey > 0) {
      group.disconnected.add(id);
      for (const oldest of group.disconnected) {
        if (group.disconnected.size <= options.maxDisconnectedPerKey) break;
        group.disconnected.delete(oldest);
        group.nodes.delete(oldest);
      }
    } else {
      group.disconnected.delete(id);
      group.nodes.delete(id);
    }
    if (group.nodes.size === 0) groups.delete(key);
  };

  return {
    keys: () => [...groups.keys()],
    nodes(key) {
      const group = groups.get(key);
      if (!group) return [];
      return [...group.nodes.values()].map((e) => ({
        node: e.node,
        streams: e.streams.size,
        lastRequestTime: e.lastRequestTime,
        types: [...e.types]
          .sort(([a], [b]) => compareAdsOrder(a, b))
          .map(([typeUrl, t]) => ({
            typeUrl,
            versionSent: t.versionSent,
            nonceSent: t.nonceSent,
            versionAcked: t.versionAcked,
            ...(t.lastNack ? { lastNack: t.lastNack } : {}),
            watches: t.watches,
          })),
      }));
    },
    streamOpened(key, streamId, node) {
      const { group, entry } = entryFor(key, node);
      entry.node = node;
      entry.streams.add(streamId);
      group.disconnected.delete(node.id);
    },
    streamClosed(key, streamId, node) {
      const group = groups.get(key);
      const entry = group?.nodes.get(node.id);
      if (!group || !entry) return;
      entry.streams.delete(streamId);
      settle(key, group, entry);
    },
    record(key, node, event, progress) {
      const { group, entry } = entryFor(key, node);
      const t = typeFor(entry, progress.typeUrl);
      const now = options.clock();
      if (event === 'request') entry.lastRequestTime = now;
      else if (event === 'sent') {
        t.versionSent = progress.version;
        t.nonceSent = progress.nonce;
      } else if (event === 'ack') t.versionAcked = progress.version;
      else t.lastNack = Object.freeze({ version: progress.version, error: progress.error ?? '', time: now });
      settle(key, group, entry);
    },
    watchAdded(key, node, typeUrl) {
      const { group, entry } = entryFor(key, node);
      const t = typeFor(entry, typeUrl);
      entry.lastRequestTime = options.clock();
      entry.watches++;
      t.watches++;
      group.disconnected.delete(node.id);
      return () => {
        entry.watches--;
        t.watches--;
        // The entry may have been evicted and replaced meanwhile; only settle the live one.
        if (groups.get(key) === group && group.nodes.get(node.id) === entry) settle(key, group, entry);
      };
    },
    settleKey(key) {
      const group = groups.get(key);
      if (!group) return;
      for (const entry of [...group.nodes.values()]) settle(key, group, entry);
    },
  };
}
