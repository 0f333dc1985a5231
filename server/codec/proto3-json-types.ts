import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { PROTO_INCLUDE_DIRS, typeForUrl, xdsRoot } from './protos.js';

/** Shared vocabulary of the proto3 JSON converters: issues, context, type resolution. */

/** One problem found in the input. `path` is empty for the top level. */
export interface JsonIssue {
  readonly path: string;
  readonly reason: string;
  /** The protoc-gen-validate rule broken (e.g. `string.min_len = 1`); absent for problems that are not such a rule. */
  readonly rule?: string;
}

/** The state of one conversion: the issues found so far and the root for `@type` lookups. */
export interface ConvertContext {
  readonly root: protobuf.Root | undefined;
  readonly issues: JsonIssue[];
}

/**
 * The message type for a type URL. When the type is not in the root yet (an
 * extension's typed_config, say `envoy.extensions.filters.http.fault.v3.HTTPFault`),
 * the `.proto` files of its package directory are loaded from the include
 * dirs once, so files may use any type the Envoy API ships without the
 * server listing every extension up front.
 */
export function resolveMessageType(typeUrl: string, root: protobuf.Root = xdsRoot()): protobuf.Type | undefined {
  const found = typeForUrl(typeUrl, root);
  if (found) return found;
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const pkgDir = name.split('.').slice(0, -1).join('/');
  let tried = triedPackages.get(root);
  if (!tried) triedPackages.set(root, (tried = new Set()));
  if (!pkgDir || tried.has(pkgDir)) return undefined;
  tried.add(pkgDir);
  for (const dir of PROTO_INCLUDE_DIRS) {
    const full = join(dir, pkgDir);
    if (!existsSync(full)) continue;
    const files = readdirSync(full)
      .filter((f) => f.endsWith('.proto'))
      .map((f) => `${pkgDir}/${f}`);
    try {
      root.loadSync(files, { keepCase: false });
      root.resolveAll();
    } catch {
      return undefined;
    }
    return typeForUrl(typeUrl, root);
  }
  return undefined;
}

/** Package directories already tried per root, so an unknown type costs one directory scan. */
const triedPackages = new WeakMap<protobuf.Root, Set<string>>();

/** A well-known (google.protobuf.*) type from the conversion's root; throws if the root lacks it. */
export function wellKnownType(ctx: ConvertContext, name: string): protobuf.Type {
  const t = resolveMessageType(`type.googleapis.com/${name}`, ctx.root);
  if (!t) throw new Error(`type ${name} is not loaded`);
  return t;
}

/**
 * The parts of a google.protobuf.Any message. protobufjs's bundled
 * definition names the field `type_url` (it is not camel-cased like fields
 * parsed from .proto files), so both spellings are read.
 */
export function anyParts(msg: Record<string, unknown>): { typeUrl: string; value: Uint8Array } {
  const typeUrl = msg.type_url ?? msg.typeUrl;
  const value = msg.value;
  return { typeUrl: typeof typeUrl === 'string' ? typeUrl : '', value: value instanceof Uint8Array ? value : new Uint8Array(0) };
}

/** Builds a google.protobuf.Any message of `anyType` with whichever type-URL field name it declares. */
export function makeAny(anyType: protobuf.Type, typeUrl: string, value?: Uint8Array): protobuf.Message {
  const key = anyType.fields.type_url ? 'type_url' : 'typeUrl';
  return anyType.create(value ? { [key]: typeUrl, value } : { [key]: typeUrl });
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** A protobufjs full name without its leading dot. */
export function stripDot(name: string): string {
  return name.startsWith('.') ? name.slice(1) : name;
}

export function joinPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** A short rendering of a bad value for error messages. */
export function show(v: unknown): string {
  if (isPlainObject(v) || Array.isArray(v)) return kindOf(v);
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
