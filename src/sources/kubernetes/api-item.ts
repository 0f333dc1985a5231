import type { KindInfo, MeshObject, ObjectMeta } from '../../model/types.js';

/**
 * A list or watch item of the Kubernetes API as a model object, before the
 * model's trim (src/model/trim.ts) drops what no generator reads. List items
 * of built-in types come without apiVersion and kind, so both are taken
 * from the kind being watched; metadata fields of the wrong type are left
 * out rather than trusted.
 */
export function apiItem(raw: Record<string, unknown>, kind: KindInfo): MeshObject {
  const { apiVersion: _apiVersion, kind: _kind, metadata, ...rest } = raw;
  return { ...rest, apiVersion: kind.apiVersion, kind: kind.kind, metadata: apiMetadata(metadata) };
}

const STRING_FIELDS = ['namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp'] as const;

function apiMetadata(value: unknown): ObjectMeta {
  const m = asRecord(value);
  const meta: ObjectMeta = { name: typeof m['name'] === 'string' ? m['name'] : '' };
  for (const key of STRING_FIELDS) {
    const v = m[key];
    if (typeof v === 'string') meta[key] = v;
  }
  if (typeof m['generation'] === 'number') meta.generation = m['generation'];
  for (const key of ['labels', 'annotations'] as const) {
    const v = m[key];
    if (v && typeof v === 'object' && !Array.isArray(v)) meta[key] = v as Record<string, string>;
  }
  if (Array.isArray(m['ownerReferences'])) meta.ownerReferences = m['ownerReferences'] as ObjectMeta['ownerReferences'];
  return meta;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
