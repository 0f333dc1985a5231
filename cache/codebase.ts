import { contentHash, hashParts } from '../src/shared/hash.js';
import { encodeFields } from '../src/shared/wire.js';
import { createResource, type Resource } from './resource.js';
import { TypeUrl } from './types.js';

/**
 * One Pipy codebase: the files a Pipy instance fetches from `/repo/<name>/`.
 * An immutable value: producers build a new Codebase for every new version,
 * so whoever serves it can keep derived bytes (manifest, responses) per
 * object.
 */
export interface Codebase {
  /** The codebase version, sent as the `etag` header. Must change iff content changes. */
  readonly version: string;
  /** The entry file, `/`-prefixed (normally `/main.js`); listed first in the manifest. */
  readonly main: string;
  /** Every file, `/`-prefixed path to bytes: the base files plus the node's overlay (`/config.json`). */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export interface CodebaseInit {
  /** Entry file; default `/main.js`. Must be one of `files`. */
  main?: string;
  /** Layers of `/`-prefixed path to bytes; later layers override earlier ones (the base first, then the node's overlay). */
  layers: readonly ReadonlyMap<string, Uint8Array>[];
  /** Explicit version; default: a content hash over every path and file hash. */
  version?: string;
}

// Base files are shared by every node's codebase: hash each byte array once.
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

/**
 * A codebase as a cache resource (type `fsm.pipy.v1.Codebase`, named by the
 * codebase name, versioned by `codebase.version`). The repo server reads the
 * Codebase back with `codebaseOf`; the protobuf bytes are built only if an
 * xDS client asks for the type, since the base files they repeat are shared
 * in memory but would not be in the encoding.
 */
export function createCodebaseResource(name: string, codebase: Codebase): Resource {
  return createResource({
    typeUrl: TypeUrl.PipyCodebase,
    name,
    version: codebase.version,
    message: codebase,
    // fsm.pipy.v1.Codebase {name = 1; version = 2; main = 3; map<string, bytes> files = 4}
    encode: () =>
      encodeFields([
        [1, name],
        [2, codebase.version],
        [3, codebase.main],
        ...[...codebase.files.keys()].sort().map((path) => [4, encodeFields([[1, path], [2, codebase.files.get(path) as Uint8Array]])] as const),
      ]),
  });
}

/** The Codebase a resource built by `createCodebaseResource` carries; undefined for any other resource. */
export function codebaseOf(resource: Resource | undefined): Codebase | undefined {
  if (resource?.typeUrl !== TypeUrl.PipyCodebase) return undefined;
  return resource.message as Codebase;
}
