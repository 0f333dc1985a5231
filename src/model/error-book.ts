/**
 * The model's problems: refused objects, cross-object problems and what
 * sources report, each kept under its own key until fixed; how often each
 * FSM error code was raised; and the listeners told of each new error.
 * Warnings are listed, never counted or announced.
 */
import { locateError, type ModelError } from './errors.js';
import type { SourceProblem } from './source-events.js';

export interface ErrorBook {
  /** Lists `error` under the caller's list (located at its field's line) and counts it now, or at synced(). */
  raise(error: ModelError, into: ModelError[]): void;
  /** The refusal of one object, by object key; undefined clears it. */
  setRefusal(key: string, errors: readonly ModelError[] | undefined): void;
  /**
   * Replaces the cross-object problems of `key`; returns the errors raised
   * (none when they equal the current ones, so a recheck raises nothing new).
   */
  setDiagnostics(key: string, errors: readonly ModelError[]): ModelError[];
  /** Problems a source reported for a scope; an empty list clears the scope. */
  setSourceProblems(scope: string, problems: readonly SourceProblem[]): void;
  /** Every current problem, sorted by file, line, object and field. */
  errors(): ModelError[];
  counts(): ReadonlyMap<string, number>;
  onError(listener: (error: ModelError) => void): () => void;
  /** From now on errors are counted when raised; the ones present now are counted once. Idempotent. */
  synced(): void;
}

const sortKey = (e: ModelError) => `${e.origin?.file ?? ''}\u0000${String(e.origin?.line ?? 0).padStart(9, '0')}\u0000${e.object}\u0000${e.field}`;

export function createErrorBook(options: { countAfterSync: boolean }): ErrorBook {
  const refusals = new Map<string, readonly ModelError[]>();
  const diagnostics = new Map<string, ModelError[]>();
  const sourceProblems = new Map<string, ModelError[]>();
  const counts = new Map<string, number>();
  const listeners = new Set<(e: ModelError) => void>();
  let counting = !options.countAfterSync;

  const count = (e: ModelError) => {
    if (e.severity === 'warning') return;
    if (e.code) counts.set(e.code, (counts.get(e.code) ?? 0) + 1);
    for (const l of listeners) l(e);
  };
  const raise = (error: ModelError, into: ModelError[]) => {
    const e = locateError(error);
    into.push(e);
    if (counting) count(e);
  };
  const errors = (): ModelError[] => {
    const out: ModelError[] = [];
    for (const l of sourceProblems.values()) out.push(...l);
    for (const l of refusals.values()) out.push(...l);
    for (const l of diagnostics.values()) out.push(...l);
    return out.sort((a, b) => {
      const ka = sortKey(a);
      const kb = sortKey(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  };

  return {
    raise,
    setRefusal(key, list) {
      if (list === undefined) refusals.delete(key);
      else refusals.set(key, list);
    },
    setDiagnostics(key, found) {
      const prev = diagnostics.get(key) ?? [];
      if (found.length === 0) {
        diagnostics.delete(key);
        return [];
      }
      const same = prev.length === found.length && prev.every((e, i) => e.reason === found[i]?.reason && e.field === found[i]?.field);
      if (same) return [];
      const list: ModelError[] = [];
      for (const e of found) raise(e, list);
      diagnostics.set(key, list);
      return list;
    },
    setSourceProblems(scope, problems) {
      if (problems.length === 0) {
        sourceProblems.delete(scope);
        return;
      }
      const list: ModelError[] = [];
      for (const p of problems) {
        raise(
          {
            object: p.object ?? '',
            field: p.field ?? '',
            reason: p.reason,
            ...(p.code ? { code: p.code } : {}),
            ...(p.origin ? { origin: p.origin } : {}),
            ...(p.severity === 'warning' ? { severity: 'warning' as const } : {}),
          },
          list,
        );
      }
      sourceProblems.set(scope, list);
    },
    errors,
    counts: () => new Map(counts),
    onError(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    synced() {
      if (counting) return;
      counting = true;
      for (const e of errors()) count(e);
    },
  };
}
