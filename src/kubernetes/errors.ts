/**
 * Errors of the Kubernetes access layer. A non-2xx answer is a KubeApiError
 * carrying the HTTP status and the `reason` of the `Status` object the API
 * server sent, so callers branch on meaning (conflict, not found) rather than
 * on message text.
 */

/** A non-2xx answer from the API server (or an ERROR event on a watch). */
export class KubeApiError extends Error {
  readonly status: number;
  /** `Status.reason`: `NotFound`, `AlreadyExists`, `Conflict`, `Expired`, `Forbidden`, ... */
  readonly reason: string | undefined;
  constructor(status: number, message: string, reason?: string) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
  }
}

/** No byte arrived for the inactivity timeout: the connection is presumed dead. */
export class InactivityError extends Error {
  constructor(ms: number) {
    super(`no data from the API server for ${ms} ms`);
    this.name = 'InactivityError';
  }
}

/** No usable Kubernetes configuration; the message says everywhere it looked. */
export class KubeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

const statusOf = (err: unknown): number | undefined => (err instanceof KubeApiError ? err.status : undefined);

/** 404: the object (or, on a collection, the resource type) does not exist. */
export const isNotFound = (err: unknown): boolean => statusOf(err) === 404;

/** 409 from an update with a stale `resourceVersion` (optimistic concurrency lost). */
export const isConflict = (err: unknown): boolean => statusOf(err) === 409 && (err as KubeApiError).reason !== 'AlreadyExists';

/** 409 from a create: an object of that name exists. */
export const isAlreadyExists = (err: unknown): boolean => statusOf(err) === 409 && (err as KubeApiError).reason === 'AlreadyExists';

/** 422: the request is invalid; for a JSON patch, one of its operations failed (a `test` among them). */
export const isInvalid = (err: unknown): boolean => statusOf(err) === 422;

/** 410: a resourceVersion or continue token older than the server keeps. */
export const isGone = (err: unknown): boolean => statusOf(err) === 410;

/** The message of any thrown value. */
export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
