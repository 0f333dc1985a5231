/**
 * Per-object validation: the API version, metadata, the kind's schema (spec
 * and top-level data), then the kind's semantic checks. Returns every error
 * found.
 */
import type { CheckContext } from '../kinds/definition.js';
import { kindInfo } from '../kinds/kind-list.js';
import { kindDefinition } from '../kinds/registry.js';
import { validateValue, type FieldError } from '../schema/validate.js';
import type { MeshObject } from '../types.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateObject(obj: MeshObject, ctx: CheckContext): FieldError[] {
  const def = kindDefinition(obj.kind);
  if (!def) return [{ field: 'kind', reason: `unknown kind "${obj.kind}"` }];
  const errs: FieldError[] = [];
  const info = kindInfo(obj.kind);
  const versions = info ? [info.apiVersion, ...(info.alsoServed ?? [])] : [];
  if (info && !versions.includes(obj.apiVersion)) {
    errs.push({
      field: 'apiVersion',
      reason: `Unsupported value: ${JSON.stringify(obj.apiVersion)}: no ${obj.kind} in this API version; supported: ${versions.map((v) => JSON.stringify(v)).join(', ')}`,
    });
  }
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') errs.push({ field: 'metadata.name', reason: 'Required value' });
  else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    errs.push({ field: 'metadata.name', reason: `Invalid value: "${name}": must be a lowercase RFC 1123 subdomain` });
  }
  for (const f of ['labels', 'annotations'] as const) {
    const m = obj.metadata?.[f];
    if (m === undefined) continue;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) errs.push({ field: `metadata.${f}`, reason: 'must be a map of strings' });
    else for (const [k, v] of Object.entries(m)) if (typeof v !== 'string') errs.push({ field: `metadata.${f}.${k}`, reason: `Invalid value: ${JSON.stringify(v)}: must be a string` });
  }
  if (def.spec) {
    if (obj.spec === undefined || obj.spec === null) {
      if (def.specRequired) errs.push({ field: 'spec', reason: 'Required value' });
    } else validateValue(def.spec, obj.spec, 'spec', errs);
  }
  for (const [field, schema] of Object.entries(def.topLevel ?? {})) {
    const v = obj[field];
    if (v !== undefined && v !== null) validateValue(schema, v, field, errs);
  }
  if (errs.length === 0 && def.check) errs.push(...def.check(obj, ctx));
  return errs;
}
