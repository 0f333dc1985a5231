/**
 * Validation and model problems. Every error names the object, the field
 * path and the reason, and carries FSM's error code where FSM defines one.
 */
import type { SourceOrigin } from './source-events.js';

export interface ModelError {
  /** `Kind namespace/name` (or `Kind name` for cluster-scoped kinds). */
  readonly object: string;
  /** Object key `kind/namespace/name`, for grouping and clearing. */
  readonly key?: string;
  /** Field path such as `spec.backends[0].weight`; empty when the whole object is concerned. */
  readonly field: string;
  readonly reason: string;
  /** FSM error code (`E2002`), when one applies. */
  readonly code?: string;
  /** Where the offending document came from (file and line for the file source). */
  readonly origin?: SourceOrigin;
  /** `warning`: reported, but nothing was refused (default `error`). */
  readonly severity?: 'error' | 'warning';
}

/** `Kind namespace/name` or `Kind name`. */
export function describeObject(kind: string, namespace: string | undefined, name: string): string {
  return namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

/**
 * One line per error: `file:line: Kind namespace/name: field: reason [code]`,
 * with `warning: ` after the location for warnings. Parts that are unknown
 * are left out rather than printed empty.
 */
export function formatModelError(e: ModelError): string {
  const parts: string[] = [];
  if (e.origin?.file) parts.push(e.origin.line !== undefined ? `${e.origin.file}:${e.origin.line}` : e.origin.file);
  if (e.severity === 'warning') parts.push('warning');
  if (e.object) parts.push(e.object);
  if (e.field) parts.push(e.field);
  parts.push(e.code ? `${e.reason} [${e.code}]` : e.reason);
  return parts.join(': ');
}

/**
 * The error with its origin's line moved to the line of its field, when the
 * source can tell (`SourceOrigin.fieldLine`); the lookup itself is dropped,
 * so errors stay plain data.
 */
export function locateError(e: ModelError): ModelError {
  const origin = e.origin;
  if (!origin?.fieldLine) return e;
  const { fieldLine, ...rest } = origin;
  const line = fieldLine(e.field);
  return { ...e, origin: line === undefined ? rest : { ...rest, line } };
}
