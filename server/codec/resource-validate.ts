import protobuf from 'protobufjs';
import type { JsonIssue } from './proto3-json-types.js';
import { anyParts, joinPath, resolveMessageType, stripDot } from './proto3-json-types.js';

/**
 * Cheap structural validation of a message against the protoc-gen-validate
 * rules the Envoy API annotates its fields with (the subset that needs no
 * regex engine or clock: required messages and oneofs, string and repeated
 * lengths, defined enums, numeric bounds), recursing into nested Any values
 * whose type is known. Proxies enforce these same rules and NACK what breaks
 * them, so catching them while loading keeps bad config from ever being
 * served — though gRPC's xDS clients ignore most of them (an
 * HttpConnectionManager without `stat_prefix` is fine to gRPC). Each issue
 * names its rule. Paths use original (snake_case) field names.
 */
export function checkValidateRules(type: protobuf.Type, message: object, root?: protobuf.Root): JsonIssue[] {
  const issues: JsonIssue[] = [];
  walk(type, message as Record<string, unknown>, '', issues, root);
  return issues;
}

const NUMERIC_BOUND = /^\(validate\.rules\)\.(?:u?int(?:32|64)|s?fixed(?:32|64)|sint(?:32|64)|double|float)\.(gt|gte|lt|lte)$/;

function walk(type: protobuf.Type, msg: Record<string, unknown>, path: string, issues: JsonIssue[], root: protobuf.Root | undefined): void {
  if (stripDot(type.fullName) === 'google.protobuf.Any') {
    const { typeUrl, value } = anyParts(msg);
    const inner = typeUrl ? resolveMessageType(typeUrl, root) : undefined;
    if (inner) walk(inner, inner.decode(value) as unknown as Record<string, unknown>, path, issues, root);
    return;
  }
  for (const oneof of type.oneofsArray) {
    if (oneof.options?.['(validate.required)'] !== true) continue;
    if (!oneof.fieldsArray.some((f) => isSet(msg, f))) {
      const names = oneof.fieldsArray.map((f) => f.protoName ?? f.name).join(', ');
      issues.push({ path: joinPath(path, snake(oneof.name)), reason: `one of ${names} is required`, rule: 'oneof.required' });
    }
  }
  for (const field of type.fieldsArray) {
    const fieldPath = joinPath(path, field.protoName ?? field.name);
    // Rules on a oneof member apply only when that member is the one set.
    if (field.partOf && !isSet(msg, field)) continue;
    checkField(field, msg, fieldPath, issues);
    if (!isSet(msg, field)) continue;
    const rt = field.resolvedType;
    if (!(rt instanceof protobuf.Type)) continue;
    const value = msg[field.name];
    if (field.map) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(rt, v as Record<string, unknown>, `${fieldPath}[${JSON.stringify(k)}]`, issues, root);
    } else if (field.repeated) {
      (value as Record<string, unknown>[]).forEach((v, i) => walk(rt, v, `${fieldPath}[${i}]`, issues, root));
    } else {
      walk(rt, value as Record<string, unknown>, fieldPath, issues, root);
    }
  }
}

function checkField(field: protobuf.Field, msg: Record<string, unknown>, path: string, issues: JsonIssue[]): void {
  const opts = field.options;
  if (!opts) return;
  const value = msg[field.name];
  for (const [key, rule] of Object.entries(opts)) {
    if (!key.startsWith('(validate.rules).')) continue;
    // The rule as protoc-gen-validate names it, e.g. `string.min_len = 1`.
    const named = `${key.slice('(validate.rules).'.length)} = ${String(rule)}`;
    if (key.endsWith('.required') && rule === true && !field.repeated && !isSet(msg, field)) {
      issues.push({ path, reason: 'required', rule: named });
    } else if ((key === '(validate.rules).string.min_len' || key === '(validate.rules).string.min_bytes') && typeof value === 'string') {
      if (value.length < Number(rule) && !(value === '' && opts['(validate.rules).string.ignore_empty'] === true)) {
        issues.push({ path, reason: value === '' ? 'required (must not be empty)' : `must be at least ${String(rule)} characters`, rule: named });
      }
    } else if (key === '(validate.rules).repeated.min_items' && Array.isArray(value)) {
      if (value.length < Number(rule) && !(value.length === 0 && opts['(validate.rules).repeated.ignore_empty'] === true)) {
        issues.push({ path, reason: `must have at least ${String(rule)} item(s)`, rule: named });
      }
    } else if (key === '(validate.rules).enum.defined_only' && rule === true && field.resolvedType instanceof protobuf.Enum) {
      const values = field.repeated ? (value as unknown[]) : [value];
      for (const v of values) {
        if (typeof v === 'number' && field.resolvedType.valuesById[v] === undefined) issues.push({ path, reason: `${v} is not a defined enum value`, rule: named });
      }
    } else if (NUMERIC_BOUND.test(key) && isSet(msg, field) && !field.repeated) {
      // Bounds on a wrapper-typed field (UInt32Value, …) apply to its `value`; int64s arrive as Long objects.
      const inner = isWrapper(field) ? (value as Record<string, unknown>).value : value;
      const n = Number(typeof inner === 'object' && inner !== null ? String(inner) : inner);
      const bound = Number(rule);
      const op = NUMERIC_BOUND.exec(key)?.[1];
      const ok = op === 'gt' ? n > bound : op === 'gte' ? n >= bound : op === 'lt' ? n < bound : n <= bound;
      if (!ok) issues.push({ path, reason: `must be ${op === 'gt' ? '>' : op === 'gte' ? '>=' : op === 'lt' ? '<' : '<='} ${bound}, got ${n}`, rule: named });
    }
  }
}

function isWrapper(field: protobuf.Field): boolean {
  const rt = field.resolvedType;
  return rt instanceof protobuf.Type && /^google\.protobuf\.[A-Za-z0-9]+Value$/.test(stripDot(rt.fullName));
}

function isSet(msg: Record<string, unknown>, field: protobuf.Field): boolean {
  if (!Object.prototype.hasOwnProperty.call(msg, field.name)) return false;
  const v = msg[field.name];
  if (v === null || v === undefined) return false;
  if (field.repeated) return Array.isArray(v) && v.length > 0;
  if (field.map) return Object.keys(v as object).length > 0;
  return true;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
