import { createHash } from 'node:crypto';

/**
 * Content hash used for resource and config versions: the first 16 hex
 * digits (64 bits) of SHA-256 over the given bytes. Stable across processes
 * and replicas, so a restarted control plane gives unchanged content the same
 * version.
 */
export function contentHash(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}

/** Hash of an ordered list of parts; parts are length-prefixed so that ("ab","c") != ("a","bc"). */
export function hashParts(parts: Iterable<string>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(String(Buffer.byteLength(p)));
    h.update(':');
    h.update(p);
  }
  return h.digest('hex').slice(0, 16);
}
