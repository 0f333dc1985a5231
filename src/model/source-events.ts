import type { MeshObject } from './types.js';

/** Where an object came from, for error messages (`file:line`). */
export interface SourceOrigin {
  readonly source: string;
  readonly file?: string;
  readonly line?: number;
  /** Index of the document within a multi-document file (0-based). */
  readonly document?: number;
  /**
   * The 1-based line of a field of this object (`spec.backends[1].weight`;
   * "" for the object itself), when the source can tell. Called only for
   * errors; the model replaces `line` with it in the errors it reports.
   */
  readonly fieldLine?: (field: string) => number | undefined;
}

/** One change reported by a source. Deletes carry at least kind and metadata. */
export type SourceEvent =
  | { readonly type: 'upsert'; readonly object: MeshObject; readonly origin?: SourceOrigin }
  | { readonly type: 'delete'; readonly object: MeshObject; readonly origin?: SourceOrigin };

/** A problem a source found before handing objects over (unparseable document, unknown kind, watch failure). */
export interface SourceProblem {
  readonly origin?: SourceOrigin;
  /** `kind namespace/name` when known. */
  readonly object?: string;
  /** Field path such as `spec.backends[0].weight`, when known. */
  readonly field?: string;
  readonly reason: string;
  /** FSM error code (E1000…), when one applies. */
  readonly code?: string;
  /** `warning`: reported, but nothing was refused or lost (default `error`). */
  readonly severity?: 'error' | 'warning';
}

export interface SourceHandlers {
  /** A batch of changes, applied atomically by the model. Handlers must not throw; a source survives if one does. */
  onEvents(events: readonly SourceEvent[]): void;
  /** Problems found since the last report for the given scope (e.g. a file); an empty list clears that scope. */
  onProblems?(scope: string, problems: readonly SourceProblem[]): void;
}

/**
 * A system of record that emits Kubernetes-shaped objects. Constructors do no
 * I/O; `start` begins listing/watching and may be called once. `ready`
 * resolves after the first complete listing (every kind) has been emitted.
 * `close` stops every timer, watch and socket; it is idempotent.
 */
export interface Source {
  readonly name: string;
  start(handlers: SourceHandlers): void;
  readonly ready: Promise<void>;
  close(): Promise<void>;
  /** What the source is doing, as JSON for /debug/sources (optional). */
  status?(): unknown;
}
