/**
 * A small schema language for mesh kinds. One definition per kind yields both
 * the runtime validator (schema/validate.ts) and the CRD openAPIV3Schema
 * (schema/openapi.ts), so the two cannot drift apart.
 */

export interface SchemaBase {
  readonly description?: string;
  /** FSM error code attached to errors of this node (e.g. E2002 for CIDRs). */
  readonly code?: string;
}

export interface ObjectSchema extends SchemaBase {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  /** Keep members not listed in properties (free-form parts such as PluginConfig.config). */
  readonly preserveUnknown?: boolean;
}
export interface StringSchema extends SchemaBase {
  readonly type: 'string';
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Checked at run time beyond what the CRD can express. */
  readonly format?: 'duration' | 'cidr' | 'ip';
  /** With format `duration`: the accepted range as Go durations, both inclusive (checked at run time). */
  readonly durationRange?: readonly [min: string, max: string];
}
export interface NumberSchema extends SchemaBase {
  readonly type: 'integer' | 'number';
  readonly minimum?: number;
  readonly maximum?: number;
  /** Exclusive lower bound (`> minimum`). */
  readonly exclusiveMinimum?: boolean;
}
export interface BooleanSchema extends SchemaBase {
  readonly type: 'boolean';
}
export interface ArraySchema extends SchemaBase {
  readonly type: 'array';
  readonly items: Schema;
  readonly minItems?: number;
}
export interface MapSchema extends SchemaBase {
  readonly type: 'map';
  readonly values: Schema;
}
/** Any JSON value (int-or-string ports, raw plugin configs). */
export interface AnySchema extends SchemaBase {
  readonly type: 'any';
  readonly intOrString?: boolean;
}

export type Schema = ObjectSchema | StringSchema | NumberSchema | BooleanSchema | ArraySchema | MapSchema | AnySchema;

type Opts<T> = Omit<T, 'type'>;

/** Builders. `required` lists member names; the rest are optional. */
export const s = {
  object(properties: Record<string, Schema>, opts: Omit<Opts<ObjectSchema>, 'properties'> = {}): ObjectSchema {
    return { type: 'object', properties, ...opts };
  },
  string(opts: Opts<StringSchema> = {}): StringSchema {
    return { type: 'string', ...opts };
  },
  enum(values: readonly string[], opts: Omit<Opts<StringSchema>, 'enum'> = {}): StringSchema {
    return { type: 'string', enum: values, ...opts };
  },
  /** A Go duration string (`1h30m`). */
  duration(opts: Omit<Opts<StringSchema>, 'format'> = {}): StringSchema {
    return { type: 'string', format: 'duration', ...opts };
  },
  /** An IPv4/IPv6 CIDR in RFC 4632 form; errors carry E2002. */
  cidr(opts: Omit<Opts<StringSchema>, 'format'> = {}): StringSchema {
    return { type: 'string', format: 'cidr', code: 'E2002', ...opts };
  },
  ip(opts: Omit<Opts<StringSchema>, 'format'> = {}): StringSchema {
    return { type: 'string', format: 'ip', ...opts };
  },
  int(opts: Opts<NumberSchema> = {}): NumberSchema {
    return { type: 'integer', ...opts };
  },
  number(opts: Opts<NumberSchema> = {}): NumberSchema {
    return { type: 'number', ...opts };
  },
  bool(opts: Opts<BooleanSchema> = {}): BooleanSchema {
    return { type: 'boolean', ...opts };
  },
  array(items: Schema, opts: Omit<Opts<ArraySchema>, 'items'> = {}): ArraySchema {
    return { type: 'array', items, ...opts };
  },
  map(values: Schema, opts: Omit<Opts<MapSchema>, 'values'> = {}): MapSchema {
    return { type: 'map', values, ...opts };
  },
  any(opts: Opts<AnySchema> = {}): AnySchema {
    return { type: 'any', ...opts };
  },
  /** A port number 1–65535. */
  port(opts: Opts<NumberSchema> = {}): NumberSchema {
    return { type: 'integer', minimum: 1, maximum: 65535, ...opts };
  },
};

/** A Kubernetes name reference `{kind, name, namespace}` with the given kinds allowed. */
export function objectRef(kinds: readonly string[], opts: { namespaceRequired?: boolean; description?: string; code?: string } = {}): ObjectSchema {
  return s.object(
    {
      kind: s.enum(kinds, { description: 'Kind of the referent.', ...(opts.code ? { code: opts.code } : {}) }),
      name: s.string({ minLength: 1, description: 'Name of the referent.' }),
      namespace: s.string({ description: 'Namespace of the referent.' }),
    },
    { required: opts.namespaceRequired ? ['kind', 'name', 'namespace'] : ['kind', 'name'], ...(opts.description ? { description: opts.description } : {}) },
  );
}
