import type { Backoff, Clock } from '../../shared/backoff.js';
import type { KubeClient } from '../../kubernetes/kube-client.js';
import { createListWatch, type ListWatchState, type ListWatchStatus } from '../../kubernetes/list-watch.js';
import type { Logger } from '../../shared/logger.js';
import type { MeshObject } from '../../model/types.js';
import type { SourceEvent, SourceProblem } from '../../model/source-events.js';
import { collectionPath, kindId, type KubernetesKind } from './kinds.js';
import { trimObject } from './trim.js';

/** See ListWatchState (src/kubernetes/list-watch.ts). */
export type KindState = ListWatchState;

/** A snapshot of one kind's loop, for status pages and tests. */
export interface KindStatus extends ListWatchStatus {
  readonly apiVersion: string;
  readonly kind: string;
}

export interface KindWatcherOptions {
  readonly kind: KubernetesKind;
  readonly http: KubeClient;
  readonly clock: Clock;
  readonly backoff: Backoff;
  readonly pageSize: number;
  readonly inactivityMs: number;
  /** Server-side `timeoutSeconds` for the next watch (called once per watch). */
  readonly watchTimeoutSeconds: () => number;
  readonly unavailableRetryMs: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Must not throw (the source wraps the user's handler). */
  readonly emit: (events: SourceEvent[]) => void;
  /** Problems of this kind; an empty list clears them. */
  readonly report: (problems: SourceProblem[]) => void;
  /** Called once: after the first complete list, or when the kind turns out unavailable. */
  readonly settled: () => void;
}

/** A list/watch loop for one kind; `run` returns only once `signal` aborts. */
export interface KindWatcher {
  run(): Promise<void>;
  status(): KindStatus;
}

/** The list/watch loop of src/kubernetes/list-watch.ts, emitting trimmed model objects. */
export function createKindWatcher(o: KindWatcherOptions): KindWatcher {
  const id = kindId(o.kind);
  const loop = createListWatch<MeshObject>({
    id,
    path: collectionPath(o.kind),
    labelSelector: o.kind.labelSelector,
    fieldSelector: o.kind.fieldSelector,
    client: o.http,
    clock: o.clock,
    backoff: o.backoff,
    pageSize: o.pageSize,
    inactivityMs: o.inactivityMs,
    watchTimeoutSeconds: o.watchTimeoutSeconds,
    unavailableRetryMs: o.unavailableRetryMs,
    logger: o.logger,
    signal: o.signal,
    decode: (raw) => trimObject(raw, o.kind),
    stub: (k) => ({
      apiVersion: o.kind.apiVersion,
      kind: o.kind.kind,
      metadata: k.namespace === undefined ? { name: k.name } : { name: k.name, namespace: k.namespace },
    }),
    emit: o.emit,
    report: (problem) => o.report(problem === undefined ? [] : [{ reason: `${id}: ${problem}` }]),
    settled: o.settled,
  });
  return {
    run: () => loop.run(),
    status: () => ({ apiVersion: o.kind.apiVersion, kind: o.kind.kind, ...loop.status() }),
  };
}
