import { contentHash } from '../src/shared/hash.js';
import { encodeAny } from '../src/shared/wire.js';

/** A reference from one resource to another (a CDS cluster to its EDS resource, an LDS listener to its RDS route). */
export interface ResourceRef {
  readonly typeUrl: string;
  readonly name: string;
}

/**
 * An immutable, versioned xDS resource. The encoded bytes, their content hash
 * (the resource version) and the google.protobuf.Any envelope are computed at
 * most once per Resource object; every snapshot, node and stream that sends
 * the resource shares them. Never mutate a Resource: build a new one.
 */
export interface Resource {
  readonly typeUrl: string;
  readonly name: string;
  /** Content hash of `bytes` (16 hex digits), unless the producer supplied a version. */
  readonly version: string;
  /** The encoded message (the Any's `value`). */
  readonly bytes: Uint8Array;
  /** The encoded google.protobuf.Any {type_url, value}; computed on first use, then shared. */
  readonly any: Uint8Array;
  /** Resources this one depends on; used by snapshot consistency checks. */
  readonly references: readonly ResourceRef[];
  /** The decoded form, when the producer has it (for debug output); never used for encoding. */
  readonly message: unknown;
}

export interface ResourceInit {
  typeUrl: string;
  name: string;
  /** The encoded message; or `encode`, which builds it on first use (for resources rarely sent whole, such as Pipy codebases). */
  bytes?: Uint8Array;
  encode?: () => Uint8Array;
  /** Explicit version; defaults to the content hash of `bytes`. */
  version?: string;
  references?: readonly ResourceRef[];
  message?: unknown;
}

/** Counts Any envelope encodings; exposed so benchmarks and tests can prove "encode once". */
export const encodeCounter = { any: 0 };

class ImmutableResource implements Resource {
  readonly typeUrl: string;
  readonly name: string;
  readonly references: readonly ResourceRef[];
  readonly message: unknown;
  #bytes: Uint8Array | undefined;
  #encode: (() => Uint8Array) | undefined;
  #version: string | undefined;
  #any: Uint8Array | undefined;

  constructor(init: ResourceInit) {
    this.typeUrl = init.typeUrl;
    this.name = init.name;
    this.#bytes = init.bytes;
    this.#encode = init.encode;
    this.references = Object.freeze([...(init.references ?? [])]);
    this.message = init.message;
    this.#version = init.version;
    // Frozen, so a caller cannot rename or re-type a resource snapshots and streams share (lazy fields are private).
    Object.freeze(this);
  }

  get bytes(): Uint8Array {
    if (this.#bytes === undefined) {
      this.#bytes = (this.#encode as () => Uint8Array)();
      this.#encode = undefined;
    }
    return this.#bytes;
  }

  get version(): string {
    if (this.#version === undefined) this.#version = contentHash(this.bytes);
    return this.#version;
  }

  get any(): Uint8Array {
    if (this.#any === undefined) {
      encodeCounter.any++;
      this.#any = encodeAny(this.typeUrl, this.bytes);
    }
    return this.#any;
  }
}

/** Creates an immutable resource from already-encoded bytes. */
export function createResource(init: ResourceInit): Resource {
  if (!init.name) throw new Error(`resource of type ${init.typeUrl} has no name`);
  if (!init.typeUrl) throw new Error(`resource ${init.name} has no type URL`);
  if ((init.bytes === undefined) === (init.encode === undefined)) throw new Error(`resource ${init.name} needs exactly one of bytes and encode`);
  return new ImmutableResource(init);
}
