/**
 * The stable public entry of the caches (`fsm-control-plane/cache`): the
 * watch interface the server consumes, immutable resources and snapshots,
 * and the snapshot, linear and mux caches producers feed.
 */
export {
  ADS_ORDER,
  idHash,
  requiresFullStateInSotw,
  TypeUrl,
  UnknownTypeError,
  type Cancel,
  type ConfigWatcher,
  type DeltaResponse,
  type NodeHash,
  type NodeInfo,
  type SotwResponse,
  type Subscription,
  type TypeProgress,
  type WatchRequest,
} from './types.js';
export { codebaseOf, createCodebase, createCodebaseResource, renderManifest, type Codebase, type CodebaseInit } from './codebase.js';
export { createResource, encodeCounter, type Resource, type ResourceInit, type ResourceRef } from './resource.js';
export {
  createSnapshot,
  SnapshotInconsistentError,
  type ConsistencyIssue,
  type Snapshot,
  type SnapshotInit,
} from './snapshot.js';
export { createSnapshotCache, type SnapshotCache, type SnapshotCacheOptions } from './snapshot-cache.js';
export type { NackInfo, NodeStatus, TypeStatus } from './node-status.js';
export { createLinearCache, type LinearCache, type LinearCacheOptions } from './linear-cache.js';
export { sotwDecisions } from './sotw-response.js';
export { createMuxCache, type MuxCache, type MuxCacheOptions } from './mux-cache.js';
