/**
 * One definition per kind: the schema of its spec (and of any top-level data
 * fields), plus semantic checks the schema cannot express. The CRD generator
 * and the runtime validator both read these definitions.
 */
import type { MeshObject } from '../types.js';
import type { ObjectSchema, Schema } from '../schema/dsl.js';
import type { FieldError } from '../schema/validate.js';

export interface CheckContext {
  /** An accepted object (observed or not), for rules that compare with siblings. */
  existing(kind: string, namespace: string, name: string): MeshObject | undefined;
  /** Accepted objects of a kind in a namespace. */
  listExisting(kind: string, namespace: string): readonly MeshObject[];
}

export interface KindDefinition {
  readonly kind: string;
  readonly description: string;
  /** Schema of `spec`; absent for kinds without a spec (Secret, EndpointSlice). */
  readonly spec?: ObjectSchema;
  /** Refuse objects without a spec. */
  readonly specRequired?: boolean;
  /** Schemas of top-level members other than spec (EndpointSlice.endpoints, Secret.data). */
  readonly topLevel?: Readonly<Record<string, Schema>>;
  /** The controller reports conditions in the object's status subresource (Gateway API kinds and policies). */
  readonly status?: boolean;
  /** Kind-specific rules; run only when the schema found no error. */
  check?(obj: MeshObject, ctx: CheckContext): FieldError[];
}
