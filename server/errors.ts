/**
 * gRPC status codes the xDS server uses, and the error type that carries one.
 * The stream state machines are transport-independent, so they speak in these
 * numbers; only server/transport/ maps them onto a gRPC library.
 */
export const StatusCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export type StatusCodeValue = (typeof StatusCode)[keyof typeof StatusCode];

/** An error that ends a stream with a gRPC status `{code, details}`. */
export class XdsStatusError extends Error {
  readonly code: number;
  readonly details: string;

  constructor(code: number, details: string) {
    super(details);
    this.name = 'XdsStatusError';
    this.code = code;
    this.details = details;
  }
}

/**
 * Turns anything thrown (by a callback, an authorizer or the cache) into a
 * status. An error carrying a numeric `code` keeps it; anything else becomes
 * `fallback` (INTERNAL unless the caller says otherwise).
 */
export function toStatusError(err: unknown, fallback: number = StatusCode.INTERNAL): XdsStatusError {
  if (err instanceof XdsStatusError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  const details = (err as { details?: unknown } | null)?.details;
  return new XdsStatusError(
    typeof code === 'number' && Number.isInteger(code) && code > 0 && code <= 16 ? code : fallback,
    typeof details === 'string' && details !== '' ? details : message,
  );
}

/** True for the cache's "type URL not served" error (matched by name so no class import is needed). */
export function isUnknownTypeError(err: unknown): boolean {
  return err instanceof Error && err.name === 'UnknownTypeError';
}
