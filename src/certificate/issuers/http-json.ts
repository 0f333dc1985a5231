/** A small JSON-over-HTTP helper for the external issuers (node's fetch, with a timeout). */
import { CertificateError, CertificateErrorCode } from '../types.js';

export interface JsonRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly timeoutMs: number;
  /** Names the remote in errors, e.g. "vault". */
  readonly what: string;
}

/** Sends the request; a non-2xx answer or an unparseable body is an E4013 error carrying the body text. */
export async function requestJson(req: JsonRequest): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: { accept: 'application/json', ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), ...req.headers },
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (err) {
    throw new CertificateError(CertificateErrorCode.issuerFailed, `${req.what} ${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) throw new CertificateError(CertificateErrorCode.issuerFailed, `${req.what} answered ${res.status}: ${text.slice(0, 500)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CertificateError(CertificateErrorCode.issuerFailed, `${req.what} sent invalid JSON`, { cause: err });
  }
}

/** Reads a nested string field, or undefined. */
export function stringAt(value: unknown, ...path: string[]): string | undefined {
  let cur: unknown = value;
  for (const key of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'string' ? cur : undefined;
}
