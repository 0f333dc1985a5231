import protobuf from 'protobufjs';
import { type ConvertContext, isPlainObject, show, stripDot, wellKnownType } from './proto3-json-types.js';

/**
 * The proto3 JSON forms of scalars and of the google.protobuf well-known
 * types that have a special JSON representation (Duration "1.5s", Timestamp
 * RFC 3339, wrappers as plain values, Struct/Value/ListValue as plain JSON,
 * FieldMask as a comma-separated string, Empty as {}), in both directions.
 */

const WRAPPERS: Record<string, string> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
};
const SPECIAL = new Set([
  ...Object.keys(WRAPPERS),
  'google.protobuf.Duration',
  'google.protobuf.Timestamp',
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
  'google.protobuf.FieldMask',
  'google.protobuf.Empty',
]);

/** True for well-known types whose JSON form is not a plain object of fields (an Any carries them in `value`). */
export function hasSpecialJson(type: protobuf.Type): boolean {
  return SPECIAL.has(stripDot(type.fullName));
}

const INT32_RANGE: Record<string, [number, number]> = {
  int32: [-0x80000000, 0x7fffffff],
  sint32: [-0x80000000, 0x7fffffff],
  sfixed32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
  fixed32: [0, 0xffffffff],
};
const INT64_TYPES = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);
/** The `long` package protobufjs bundles (util.Long); typed loosely by protobufjs. */
interface LongStatic {
  fromString(text: string, unsigned: boolean): unknown;
}
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const BASE64 = /^(?:[A-Za-z0-9+/\-_]{4})*(?:[A-Za-z0-9+/\-_]{2}(?:==)?|[A-Za-z0-9+/\-_]{3}=?)?$/;
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const MAX_DURATION_SECONDS = 315_576_000_000;

/** Converts a JSON value for a scalar proto type (`int32`, `string`, `bytes`, …); undefined after recording an issue. */
export function scalarFromJson(ctx: ConvertContext, protoType: string, value: unknown, path: string): unknown {
  const fail = (expected: string) => {
    ctx.issues.push({ path, reason: `expected ${expected}, got ${show(value)}` });
    return undefined;
  };
  switch (protoType) {
    case 'string':
      return typeof value === 'string' ? value : fail('a string');
    case 'bool':
      return typeof value === 'boolean' ? value : fail('true or false');
    case 'bytes':
      return typeof value === 'string' && BASE64.test(value) ? Buffer.from(value, 'base64') : fail('a base64 string');
    case 'double':
    case 'float':
      if (typeof value === 'number') return value;
      if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return fail('a number');
  }
  const range = INT32_RANGE[protoType];
  if (range) {
    const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n)) return fail(`an integer (${protoType})`);
    if (n < range[0] || n > range[1]) return fail(`a ${protoType} in [${range[0]}, ${range[1]}]`);
    return n;
  }
  if (INT64_TYPES.has(protoType)) {
    let big: bigint;
    if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value);
    else if (typeof value === 'string' && /^-?\d+$/.test(value)) big = BigInt(value);
    else return fail(`an integer or a decimal string (${protoType})`);
    const unsigned = protoType === 'uint64' || protoType === 'fixed64';
    if (unsigned ? big < 0n || big > UINT64_MAX : big < INT64_MIN || big > INT64_MAX) return fail(`a ${protoType} in range`);
    return (protobuf.util.Long as unknown as LongStatic).fromString(big.toString(), unsigned);
  }
  ctx.issues.push({ path, reason: `unsupported field type ${protoType}` });
  return undefined;
}

/**
 * Properties for `type.create` from the special JSON form of a well-known
 * type, or undefined when `type` has none (it is then an ordinary message).
 */
export function wellKnownFromJson(ctx: ConvertContext, type: protobuf.Type, json: unknown, path: string): Record<string, unknown> | undefined {
  const name = stripDot(type.fullName);
  if (!SPECIAL.has(name)) return undefined;
  const fail = (expected: string) => {
    ctx.issues.push({ path: path || '(top level)', reason: `expected ${expected}, got ${show(json)}` });
    return {};
  };
  const wrapped = WRAPPERS[name];
  if (wrapped) return { value: scalarFromJson(ctx, wrapped, json, path) };
  switch (name) {
    case 'google.protobuf.Duration': {
      const m = typeof json === 'string' ? DURATION.exec(json) : null;
      if (!m || Number(m[2]) > MAX_DURATION_SECONDS) return fail('a duration such as "1.5s"');
      const sign = m[1] ? -1 : 1;
      return { seconds: sign * Number(m[2]), nanos: sign * Number((m[3] ?? '').padEnd(9, '0')) };
    }
    case 'google.protobuf.Timestamp': {
      const m = typeof json === 'string' ? TIMESTAMP.exec(json) : null;
      if (!m) return fail('an RFC 3339 timestamp such as "2024-01-02T03:04:05Z"');
      const [, y, mo, d, h, mi, s, frac, sign, oh, om] = m;
      const offset = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60 : 0;
      const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
      if (Number.isNaN(ms)) return fail('a valid RFC 3339 timestamp');
      return { seconds: ms / 1000 - offset, nanos: Number((frac ?? '').padEnd(9, '0')) };
    }
    case 'google.protobuf.Struct':
      return isPlainObject(json) ? { fields: structFields(ctx, json, path) } : fail('an object (google.protobuf.Struct)');
    case 'google.protobuf.ListValue':
      return Array.isArray(json) ? { values: json.map((v, i) => valueMessage(ctx, v, `${path}[${i}]`)) } : fail('an array (google.protobuf.ListValue)');
    case 'google.protobuf.Value':
      return valueProps(ctx, json, path);
    case 'google.protobuf.FieldMask':
      if (typeof json !== 'string') return fail('a comma-separated string of field paths');
      return { paths: json === '' ? [] : json.split(',').map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)) };
    default:
      return isPlainObject(json) && Object.keys(json).length === 0 ? {} : fail('{} (google.protobuf.Empty)');
  }
}

function structFields(ctx: ConvertContext, json: Record<string, unknown>, path: string): Record<string, protobuf.Message> {
  const out: Record<string, protobuf.Message> = {};
  for (const [k, v] of Object.entries(json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = valueMessage(ctx, v, path ? `${path}.${k}` : k);
  return out;
}

function valueMessage(ctx: ConvertContext, json: unknown, path: string): protobuf.Message {
  return wellKnownType(ctx, 'google.protobuf.Value').create(valueProps(ctx, json, path));
}

function valueProps(ctx: ConvertContext, json: unknown, path: string): Record<string, unknown> {
  if (json === null) return { nullValue: 0 };
  if (typeof json === 'number') return { numberValue: json };
  if (typeof json === 'string') return { stringValue: json };
  if (typeof json === 'boolean') return { boolValue: json };
  if (Array.isArray(json)) {
    const values = json.map((v, i) => valueMessage(ctx, v, `${path}[${i}]`));
    return { listValue: wellKnownType(ctx, 'google.protobuf.ListValue').create({ values }) };
  }
  if (isPlainObject(json)) return { structValue: wellKnownType(ctx, 'google.protobuf.Struct').create({ fields: structFields(ctx, json, path) }) };
  ctx.issues.push({ path, reason: `expected a JSON value, got ${show(json)}` });
  return {};
}

/** A decoded int64 (Long or number) as the decimal string proto3 JSON uses. */
export function int64ToJson(v: unknown): string {
  return typeof v === 'object' && v !== null ? String(v.toString()) : String(v);
}

/** The special JSON form of a decoded well-known type, or undefined for ordinary messages. */
export function wellKnownToJson(type: protobuf.Type, msg: Record<string, unknown>): unknown {
  const name = stripDot(type.fullName);
  if (!SPECIAL.has(name)) return undefined;
  const wrapped = WRAPPERS[name];
  if (wrapped) return scalarToJson(wrapped, msg.value ?? type.fields.value?.typeDefault);
  switch (name) {
    case 'google.protobuf.Duration': {
      const seconds = Number(int64ToJson(msg.seconds ?? 0));
      const nanos = Number(msg.nanos ?? 0);
      const neg = seconds < 0 || nanos < 0;
      return `${neg ? '-' : ''}${Math.abs(seconds)}${fraction(Math.abs(nanos))}s`;
    }
    case 'google.protobuf.Timestamp': {
      const iso = new Date(Number(int64ToJson(msg.seconds ?? 0)) * 1000).toISOString();
      return `${iso.slice(0, 19)}${fraction(Number(msg.nanos ?? 0))}Z`;
    }
    case 'google.protobuf.Struct':
      return structToJson(msg);
    case 'google.protobuf.ListValue':
      return ((msg.values ?? []) as Record<string, unknown>[]).map(valueToJson);
    case 'google.protobuf.Value':
      return valueToJson(msg);
    case 'google.protobuf.FieldMask':
      return ((msg.paths ?? []) as string[]).map((p) => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).join(',');
    default:
      return {};
  }
}

function valueToJson(v: Record<string, unknown>): unknown {
  // Decoded messages carry field defaults on their prototype; only own properties were on the wire.
  const own = (k: string) => Object.prototype.hasOwnProperty.call(v, k) && v[k] !== null && v[k] !== undefined;
  if (own('numberValue')) return v.numberValue;
  if (own('stringValue')) return v.stringValue;
  if (own('boolValue')) return v.boolValue;
  if (own('structValue')) return structToJson(v.structValue as Record<string, unknown>);
  if (own('listValue')) return (((v.listValue as Record<string, unknown>).values ?? []) as Record<string, unknown>[]).map(valueToJson);
  return null;
}

function structToJson(msg: Record<string, unknown>): Record<string, unknown> {
  const fields = (msg.fields ?? {}) as Record<string, Record<string, unknown>>;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, valueToJson(v)]));
}

function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  if (digits.endsWith('000000')) return `.${digits.slice(0, 3)}`;
  if (digits.endsWith('000')) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

/** A decoded scalar in its proto3 JSON form (int64 as string, bytes as base64, non-finite floats as strings). */
export function scalarToJson(protoType: string, v: unknown): unknown {
  if (INT64_TYPES.has(protoType)) return int64ToJson(v);
  if (protoType === 'bytes') return Buffer.from(v as Uint8Array).toString('base64');
  if ((protoType === 'double' || protoType === 'float') && typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}
