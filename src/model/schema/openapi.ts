/**
 * Derives a CRD `openAPIV3Schema` (structural schema) from a schema of the
 * DSL. Runtime-only checks (Go durations, CIDRs, IPs) become patterns or
 * descriptions the API server can apply; maps become additionalProperties;
 * free-form values keep unknown fields.
 */
import type { Schema } from './dsl.js';

export type JsonSchema = Record<string, unknown>;

/** A Go duration (`1h30m`, `1.5s`, `0`), as parsed by src/shared/duration.ts. */
export const DURATION_PATTERN = '^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$';

function base(schema: Schema): JsonSchema {
  return schema.description ? { description: schema.description } : {};
}

export function toOpenApi(schema: Schema): JsonSchema {
  switch (schema.type) {
    case 'object': {
      const properties: Record<string, JsonSchema> = {};
      for (const k of Object.keys(schema.properties).sort()) properties[k] = toOpenApi(schema.properties[k] as Schema);
      return {
        ...base(schema),
        type: 'object',
        ...(Object.keys(properties).length > 0 ? { properties } : {}),
        ...(schema.required && schema.required.length > 0 ? { required: [...schema.required] } : {}),
        ...(schema.preserveUnknown ? { 'x-kubernetes-preserve-unknown-fields': true } : {}),
      };
    }
    case 'string': {
      const out: JsonSchema = { ...base(schema), type: 'string' };
      if (schema.enum) out['enum'] = [...schema.enum];
      if (schema.minLength !== undefined) out['minLength'] = schema.minLength;
      if (schema.maxLength !== undefined) out['maxLength'] = schema.maxLength;
      if (schema.pattern) out['pattern'] = schema.pattern;
      if (schema.format === 'duration') out['pattern'] = DURATION_PATTERN;
      if (schema.durationRange) out['description'] = joinDesc(out['description'] as string | undefined, `Between ${schema.durationRange[0]} and ${schema.durationRange[1]}.`);
      if (schema.format === 'cidr') out['description'] = joinDesc(schema.description, 'CIDR in RFC 4632 notation, e.g. 192.0.2.0/24.');
      if (schema.format === 'ip') out['description'] = joinDesc(schema.description, 'IPv4 or IPv6 address.');
      return out;
    }
    case 'integer':
    case 'number': {
      const out: JsonSchema = { ...base(schema), type: schema.type };
      if (schema.type === 'integer') out['format'] = 'int32';
      if (schema.minimum !== undefined) out['minimum'] = schema.minimum;
      if (schema.exclusiveMinimum) out['exclusiveMinimum'] = true;
      if (schema.maximum !== undefined) out['maximum'] = schema.maximum;
      return out;
    }
    case 'boolean':
      return { ...base(schema), type: 'boolean' };
    case 'array':
      return { ...base(schema), type: 'array', items: toOpenApi(schema.items), ...(schema.minItems !== undefined ? { minItems: schema.minItems } : {}) };
    case 'map':
      return { ...base(schema), type: 'object', additionalProperties: toOpenApi(schema.values) };
    case 'any':
      return schema.intOrString
        ? { ...base(schema), 'x-kubernetes-int-or-string': true }
        : { ...base(schema), 'x-kubernetes-preserve-unknown-fields': true };
  }
}

function joinDesc(a: string | undefined, b: string): string {
  return a ? `${a} ${b}` : b;
}
