/**
 * Why a registry answer was not used, with the error code it is reported
 * under (src/observability/error-codes.ts): E8000 the registry could not be
 * reached or was too slow, E8001 it answered an error or something
 * unreadable, E8002 the answer was over a configured limit.
 */
import { HttpRequestError } from '../../shared/http-request.js';

export type RegistryErrorCode = 'E8000' | 'E8001' | 'E8002';

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Any failure as a RegistryError: HTTP failures by kind, anything else as unreachable. */
export function toRegistryError(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  if (err instanceof HttpRequestError) return new RegistryError(err.failure === 'too-large' ? 'E8002' : 'E8000', err.message);
  return new RegistryError('E8000', err instanceof Error ? err.message : String(err));
}

/** Parses a JSON body, or throws E8001 naming what was asked. */
export function parseJsonAnswer(body: Buffer | string, what: string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (err) {
    throw new RegistryError('E8001', `${what}: the answer is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Throws E8001 for a non-2xx status, quoting the start of the body. */
export function expectOk(res: { status: number; body: Buffer }, what: string): void {
  if (res.status >= 200 && res.status < 300) return;
  const text = res.body.toString('utf8').slice(0, 200).trim();
  throw new RegistryError('E8001', `${what}: HTTP ${res.status}${text ? ` ${text}` : ''}`);
}
