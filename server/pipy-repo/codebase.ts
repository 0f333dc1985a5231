import { contentHash, hashParts } from '../../src/shared/hash.js';
import type { Codebase } from './types.js';

export interface CodebaseInit {
  /** Entry file; default `/main.js`. Must be one of `files`. */
  main?: string;
  /** Layers of `/`-prefixed path to bytes; later layers override earlier ones (the base first, then the proxy's overlay). */
  layers: readonly ReadonlyMap<string, Uint8Array>[];
  /** Explicit version; default: a content hash over every path and file hash. */
  version?: string;
}

// Base files are shared by every proxy's codebase: hash each byte array once.
const fileHashes = new WeakMap<Uint8Array, string>();

function fileHash(bytes: Uint8Array): string {
  let h = fileHashes.get(bytes);
  if (h === undefined) {
    h = contentHash(bytes);
    fileHashes.set(bytes, h);
  }
  return h;
}

/**
 * Builds an immutable Codebase. The default version is a content hash, so
 * the same files give the same `etag` across restarts and replicas and a
 * Pipy instance never reloads for a change that is not one.
 */
export function createCodebase(init: CodebaseInit): Codebase {
  const main = init.main ?? '/main.js';
  const files = new Map<string, Uint8Array>();
  for (const layer of init.layers) {
    for (const [path, bytes] of layer) {
      if (!path.startsWith('/') || path.includes('\n')) throw new Error(`invalid codebase path ${JSON.stringify(path)}: must start with "/" and be one line`);
      files.set(path, bytes);
    }
  }
  if (!files.has(main)) throw new Error(`codebase main file ${main} is not among its files`);
  const version =
    init.version ??
    hashParts([main, ...[...files.keys()].sort().flatMap((p) => [p, fileHash(files.get(p) as Uint8Array)])]);
  return { version, main, files };
}

/**
 * The manifest Pipy reads from the codebase path: the main file first, then
 * every other path in sorted order, one per line.
 */
export function renderManifest(codebase: Codebase): string {
  const rest = [...codebase.files.keys()].filter((p) => p !== codebase.main).sort();
  return [codebase.main, ...rest].join('\n') + '\n';
}
