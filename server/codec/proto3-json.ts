import protobuf from 'protobufjs';
import {
  anyParts,
  type ConvertContext,
  type JsonIssue,
  isPlainObject,
  joinPath,
  kindOf,
  makeAny,
  resolveMessageType,
  show,
  stripDot,
  wellKnownType,
} from './proto3-json-types.js';
import { hasSpecialJson, scalarFromJson, scalarToJson, wellKnownFromJson, wellKnownToJson } from './proto3-json-wkt.js';

/**
 * Strict proto3 JSON ⇄ protobufjs message conversion, walking the protobufjs
 * reflection. `Type.fromObject` is lax (it drops unknown fields and coerces
 * mismatched values), which would turn a typo in a config file into a
 * silently different config; this walker instead collects every problem with
 * the path of the field as written in the input.
 *
 * Accepted, per the proto3 JSON mapping: lowerCamelCase or original
 * snake_case field names; enums by name or number; int64 as number or
 * decimal string; bytes as (URL-safe or standard) base64; google.protobuf.Any
 * with `@type` (and `value` for well-known types); Duration, Timestamp,
 * wrappers, Struct/Value/ListValue, FieldMask and Empty in their JSON forms;
 * maps as objects; `null` as "unset".
 */

export type { JsonIssue } from './proto3-json-types.js';
export { resolveMessageType } from './proto3-json-types.js';

/** Thrown when the input does not match the message type; `issues` lists every problem. */
export class Proto3JsonError extends Error {
  readonly issues: readonly JsonIssue[];
  constructor(issues: readonly JsonIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.reason}` : i.reason)).join('; '));
    this.name = 'Proto3JsonError';
    this.issues = issues;
  }
}

export interface FromJsonOptions {
  /** Root to resolve `@type` URLs in; defaults to the shared xDS root. */
  root?: protobuf.Root;
  /** Accept (and check) a top-level `@type` naming `type` itself, as resource files carry. Defaults to true. */
  allowTypeField?: boolean;
}

/**
 * Converts `json` into a message of `type`. Throws Proto3JsonError listing
 * every unknown field, type mismatch and out-of-range value, each with its
 * path (e.g. `filter_chains[0].filters[1].typed_config.stat_prefix`).
 */
export function fromProto3Json(type: protobuf.Type, json: unknown, opts: FromJsonOptions = {}): protobuf.Message {
  const ctx: ConvertContext = { root: opts.root, issues: [] };
  let input = json;
  if (opts.allowTypeField !== false && isPlainObject(json) && '@type' in json) {
    const { '@type': typeField, ...rest } = json;
    const expected = `type.googleapis.com/${stripDot(type.fullName)}`;
    if (typeField !== expected) ctx.issues.push({ path: '@type', reason: `expected "${expected}", got ${show(typeField)}` });
    input = rest;
  }
  const message = messageFromJson(ctx, type, input, '');
  if (ctx.issues.length) throw new Proto3JsonError(ctx.issues);
  return message;
}

function messageFromJson(ctx: ConvertContext, type: protobuf.Type, json: unknown, path: string): protobuf.Message {
  const special = wellKnownFromJson(ctx, type, json, path);
  if (special !== undefined) return type.create(special);
  if (stripDot(type.fullName) === 'google.protobuf.Any') return anyFromJson(ctx, json, path);
  const props: Record<string, unknown> = {};
  if (!isPlainObject(json)) {
    ctx.issues.push({ path: path || '(top level)', reason: `expected an object (${stripDot(type.fullName)}), got ${kindOf(json)}` });
    return type.create(props);
  }
  const fields = fieldIndex(type);
  const oneofSeen = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const fieldPath = joinPath(path, key);
    const field = fields.get(key);
    if (!field) {
      ctx.issues.push({ path: fieldPath, reason: 'unknown field' });
      continue;
    }
    if (value === null && !acceptsNull(field)) continue;
    if (field.partOf) {
      const other = oneofSeen.get(field.partOf.name);
      if (other !== undefined) {
        ctx.issues.push({ path: fieldPath, reason: `only one of "${other}" and "${key}" may be set (oneof ${field.partOf.name})` });
        continue;
      }
      oneofSeen.set(field.partOf.name, key);
    }
    props[field.name] = fieldFromJson(ctx, field, value, fieldPath);
  }
  return type.create(props);
}

function fieldFromJson(ctx: ConvertContext, field: protobuf.Field, value: unknown, path: string): unknown {
  if (field.map) {
    if (!isPlainObject(value)) {
      ctx.issues.push({ path, reason: `expected an object (map), got ${kindOf(value)}` });
      return {};
    }
    const keyType = (field as unknown as protobuf.MapField).keyType;
    const out: Record<string, unknown> = {};
    // Sorted so that equal maps always encode to the same bytes (and content-hash versions).
    for (const [k, v] of Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const keyPath = `${path}[${JSON.stringify(k)}]`;
      const keyOk = keyType === 'string' || (keyType === 'bool' ? k === 'true' || k === 'false' : scalarFromJson(ctx, keyType, k, keyPath) !== undefined);
      if (keyType === 'bool' && !keyOk) ctx.issues.push({ path: keyPath, reason: 'map key must be "true" or "false"' });
      if (keyOk) out[k] = singleFromJson(ctx, field, v, keyPath);
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) {
      ctx.issues.push({ path, reason: `expected an array, got ${kindOf(value)}` });
      return [];
    }
    return value.map((v, i) => singleFromJson(ctx, field, v, `${path}[${i}]`));
  }
  return singleFromJson(ctx, field, value, path);
}

function singleFromJson(ctx: ConvertContext, field: protobuf.Field, value: unknown, path: string): unknown {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) return messageFromJson(ctx, rt, value, path);
  if (rt instanceof protobuf.Enum) return enumFromJson(ctx, rt, value, path);
  return scalarFromJson(ctx, field.type, value, path);
}

function enumFromJson(ctx: ConvertContext, e: protobuf.Enum, value: unknown, path: string): number | undefined {
  if (stripDot(e.fullName) === 'google.protobuf.NullValue' && value === null) return 0;
  if (typeof value === 'string') {
    const n = e.values[value];
    if (n !== undefined) return n;
    ctx.issues.push({ path, reason: `unknown ${stripDot(e.fullName)} value "${value}" (one of ${Object.keys(e.values).join(', ')})` });
    return undefined;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) return value;
  ctx.issues.push({ path, reason: `expected a ${stripDot(e.fullName)} name, got ${show(value)}` });
  return undefined;
}

function anyFromJson(ctx: ConvertContext, json: unknown, path: string): protobuf.Message {
  const anyType = wellKnownType(ctx, 'google.protobuf.Any');
  if (!isPlainObject(json)) {
    ctx.issues.push({ path, reason: `expected an object with "@type" (google.protobuf.Any), got ${kindOf(json)}` });
    return anyType.create({});
  }
  const { '@type': typeUrl, ...rest } = json;
  if (typeof typeUrl !== 'string' || !typeUrl.includes('/')) {
    ctx.issues.push({ path: joinPath(path, '@type'), reason: `expected a type URL such as "type.googleapis.com/pkg.Message", got ${show(typeUrl)}` });
    return anyType.create({});
  }
  const inner = resolveMessageType(typeUrl, ctx.root);
  if (!inner) {
    ctx.issues.push({ path: joinPath(path, '@type'), reason: `unknown type ${typeUrl}` });
    return makeAny(anyType, typeUrl);
  }
  let body: unknown = rest;
  if (hasSpecialJson(inner)) {
    const { value, ...extra } = rest;
    for (const k of Object.keys(extra)) ctx.issues.push({ path: joinPath(path, k), reason: 'unknown field' });
    body = value;
  }
  const msg = messageFromJson(ctx, inner, body, path);
  return makeAny(anyType, typeUrl, inner.encode(msg).finish());
}

const fieldIndexes = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();

/** Field lookup by lowerCamelCase JSON name, protobufjs name and original proto (snake_case) name. */
function fieldIndex(type: protobuf.Type): Map<string, protobuf.Field> {
  let index = fieldIndexes.get(type);
  if (!index) {
    index = new Map();
    for (const f of type.fieldsArray) {
      index.set(f.name, f);
      if (f.jsonName) index.set(f.jsonName, f);
      if (f.protoName) index.set(f.protoName, f);
    }
    fieldIndexes.set(type, index);
  }
  return index;
}

function acceptsNull(field: protobuf.Field): boolean {
  const rt = field.resolvedType;
  return !field.repeated && !field.map && rt !== null && stripDot(rt.fullName) === 'google.protobuf.Value';
}

export interface ToJsonOptions {
  /** Root to resolve nested Any types in; defaults to the shared xDS root. */
  root?: protobuf.Root;
}

/**
 * The proto3 JSON form of a decoded message, with original (snake_case) field
 * names as Envoy's config dumps use; fields at their default are omitted.
 * Nested Any values are expanded when their type is known, otherwise kept as
 * `{"@type", "value": base64}`.
 */
export function toProto3Json(type: protobuf.Type, message: protobuf.Message | Record<string, unknown>, opts: ToJsonOptions = {}): unknown {
  return messageToJson(type, message as unknown as Record<string, unknown>, opts.root);
}

function messageToJson(type: protobuf.Type, msg: Record<string, unknown>, root: protobuf.Root | undefined): unknown {
  const special = wellKnownToJson(type, msg);
  if (special !== undefined) return special;
  if (stripDot(type.fullName) === 'google.protobuf.Any') {
    const { typeUrl, value } = anyParts(msg);
    const inner = typeUrl ? resolveMessageType(typeUrl, root) : undefined;
    if (!inner) return { '@type': typeUrl, value: Buffer.from(value).toString('base64') };
    const body = messageToJson(inner, inner.decode(value) as unknown as Record<string, unknown>, root);
    return hasSpecialJson(inner) ? { '@type': typeUrl, value: body } : { '@type': typeUrl, ...(body as object) };
  }
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(msg, field.name)) continue;
    const v = msg[field.name];
    if (v === null || v === undefined) continue;
    const key = field.protoName ?? field.name;
    if (field.map) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length) out[key] = Object.fromEntries(entries.map(([k, x]) => [k, valueToJson(field, x, root)]));
    } else if (field.repeated) {
      if ((v as unknown[]).length) out[key] = (v as unknown[]).map((x) => valueToJson(field, x, root));
    } else {
      out[key] = valueToJson(field, v, root);
    }
  }
  return out;
}

function valueToJson(field: protobuf.Field, v: unknown, root: protobuf.Root | undefined): unknown {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) return messageToJson(rt, v as Record<string, unknown>, root);
  if (rt instanceof protobuf.Enum) return rt.valuesById[v as number] ?? v;
  return scalarToJson(field.type, v);
}
