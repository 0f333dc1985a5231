/**
 * Runtime validation from a schema: collects every error (never stops at the
 * first) with its field path, in the wording of the Kubernetes API server's
 * CRD validation, so a file-described mesh and a cluster report alike:
 * `spec.traffic.enableEgress: Invalid value: "string": spec.traffic.enableEgress in body must be of type boolean: "string"`.
 */
import { tryParseGoDuration } from '../../shared/duration.js';
import type { Schema } from './dsl.js';
import { isCIDR, isIP } from './ip.js';

export interface FieldError {
  readonly field: string;
  readonly reason: string;
  readonly code?: string;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v));
}

const patterns = new WeakMap<Schema, RegExp>();

function patternOf(schema: Schema & { pattern?: string }): RegExp {
  let re = patterns.get(schema);
  if (!re) patterns.set(schema, (re = new RegExp(schema.pattern as string)));
  return re;
}

function withinRange(ms: number, [min, max]: readonly [string, string]): boolean {
  return ms >= (tryParseGoDuration(min) ?? -Infinity) && ms <= (tryParseGoDuration(max) ?? Infinity);
}

function push(out: FieldError[], schema: Schema, path: string, reason: string): void {
  out.push(schema.code ? { field: path, reason, code: schema.code } : { field: path, reason });
}

function pushType(out: FieldError[], schema: Schema, path: string, value: unknown, expected: string): void {
  const t = jsonType(value);
  push(out, schema, path, `Invalid value: "${t}": ${path} in body must be of type ${expected}: "${t}"`);
}

/** Appends the errors of `value` against `schema` at `path` to `out`. */
export function validateValue(schema: Schema, value: unknown, path: string, out: FieldError[]): void {
  // Hot path (every object of every batch): no closures, no allocation unless an error is found.
  switch (schema.type) {
    case 'any':
      if (schema.intOrString && typeof value !== 'string' && !Number.isInteger(value)) pushType(out, schema, path, value, 'int-or-string');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') pushType(out, schema, path, value, 'boolean');
      return;
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) return pushType(out, schema, path, value, schema.type);
      if (schema.minimum !== undefined) {
        if (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum) {
          push(out, schema, path, `Invalid value: ${value}: ${path} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`);
        }
      }
      if (schema.maximum !== undefined && value > schema.maximum) {
        push(out, schema, path, `Invalid value: ${value}: ${path} in body should be less than or equal to ${schema.maximum}`);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return pushType(out, schema, path, value, 'string');
      if (schema.enum && !schema.enum.includes(value)) {
        return push(out, schema, path, `Unsupported value: ${show(value)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
      }
      if (schema.minLength !== undefined && value.length < schema.minLength) {
        push(out, schema, path, `Invalid value: ${show(value)}: ${path} in body should be at least ${schema.minLength} chars long`);
      }
      if (schema.maxLength !== undefined && value.length > schema.maxLength) {
        push(out, schema, path, `Invalid value: ${show(value)}: ${path} in body may not be longer than ${schema.maxLength}`);
      }
      if (schema.pattern && !patternOf(schema).test(value)) {
        push(out, schema, path, `Invalid value: ${show(value)}: ${path} in body should match '${schema.pattern}'`);
      }
      if (schema.format === 'duration') {
        const ms = tryParseGoDuration(value);
        if (ms === undefined) push(out, schema, path, `Invalid value: ${show(value)}: ${path} in body must be a duration such as "300ms", "1.5h" or "2h45m"`);
        else if (schema.durationRange && !withinRange(ms, schema.durationRange)) {
          push(out, schema, path, `Invalid value: ${show(value)}: ${path} must be between ${schema.durationRange[0]} and ${schema.durationRange[1]}`);
        }
      }
      if (schema.format === 'cidr' && !isCIDR(value)) {
        push(out, schema, path, `Invalid value: ${show(value)}: ${path} must be a CIDR in RFC 4632 notation such as "192.0.2.0/24"`);
      }
      if (schema.format === 'ip' && !isIP(value)) push(out, schema, path, `Invalid value: ${show(value)}: ${path} must be an IP address`);
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) return pushType(out, schema, path, value, 'array');
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        push(out, schema, path, `Invalid value: ${value.length}: ${path} in body should have at least ${schema.minItems} items`);
      }
      value.forEach((v, i) => validateValue(schema.items, v, `${path}[${i}]`, out));
      return;
    }
    case 'map': {
      if (jsonType(value) !== 'object') return pushType(out, schema, path, value, 'object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) validateValue(schema.values, v, `${path}[${k}]`, out);
      return;
    }
    case 'object': {
      if (jsonType(value) !== 'object') return pushType(out, schema, path, value, 'object');
      const obj = value as Record<string, unknown>;
      for (const r of schema.required ?? []) {
        if (obj[r] === undefined || obj[r] === null) out.push({ field: path ? `${path}.${r}` : r, reason: 'Required value' });
      }
      for (const [k, v] of Object.entries(obj)) {
        const child = schema.properties[k];
        // Unknown members are pruned by the API server, not refused; we ignore them likewise.
        if (!child || v === null || v === undefined) continue;
        validateValue(child, v, path ? `${path}.${k}` : k, out);
      }
      return;
    }
  }
}
