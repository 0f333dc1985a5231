import type { MeshObject, ObjectMeta } from '../../model/types.js';
import type { KindInfo } from '../../model/types.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Top-level fields kept besides apiVersion/kind/metadata/spec/status, per kind. */
const EXTRA_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Secret: ['type', 'data'],
  EndpointSlice: ['addressType', 'endpoints', 'ports'],
  Endpoints: ['subsets'],
};

/**
 * The object as the model wants it: Kubernetes-shaped, without what only the
 * API server needs (managedFields, last-applied annotation) and, for Pods, without the bulky parts of spec and status no
 * generator reads (volumes, env, container statuses). List items come without
 * apiVersion/kind for built-in types, so both are taken from `kind`.
 */
export function trimObject(raw: Record<string, unknown>, kind: KindInfo): MeshObject {
  const out: MeshObject = {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: trimMetadata(raw['metadata']),
  };
  if (raw['spec'] !== undefined) out.spec = kind.kind === 'Pod' ? trimPodSpec(raw['spec']) : raw['spec'];
  if (raw['status'] !== undefined) out.status = kind.kind === 'Pod' ? trimPodStatus(raw['status']) : raw['status'];
  for (const field of EXTRA_FIELDS[kind.kind] ?? []) {
    if (raw[field] !== undefined) out[field] = raw[field];
  }
  return out;
}

function trimMetadata(value: unknown): ObjectMeta {
  const m = asRecord(value);
  const meta: ObjectMeta = { name: typeof m['name'] === 'string' ? m['name'] : '' };
  copyString(m, meta, 'namespace');
  copyString(m, meta, 'uid');
  copyString(m, meta, 'resourceVersion');
  copyString(m, meta, 'creationTimestamp');
  copyString(m, meta, 'deletionTimestamp');
  // Gateway API status reports the generation it observed.
  if (typeof m['generation'] === 'number') meta.generation = m['generation'];
  const labels = m['labels'];
  if (labels && typeof labels === 'object') meta.labels = labels as Record<string, string>;
  const annotations = m['annotations'];
  if (annotations && typeof annotations === 'object') {
    const kept = { ...(annotations as Record<string, string>) };
    delete kept[LAST_APPLIED];
    if (Object.keys(kept).length > 0) meta.annotations = kept;
  }
  if (Array.isArray(m['ownerReferences'])) meta.ownerReferences = m['ownerReferences'] as ObjectMeta['ownerReferences'];
  return meta;
}

function trimPodSpec(value: unknown): unknown {
  const spec = asRecord(value);
  const out: Record<string, unknown> = {};
  for (const key of ['serviceAccountName', 'nodeName', 'hostNetwork']) {
    if (spec[key] !== undefined) out[key] = spec[key];
  }
  if (Array.isArray(spec['containers'])) {
    out['containers'] = spec['containers'].map((c: unknown) => {
      const container = asRecord(c);
      const kept: Record<string, unknown> = { name: container['name'] };
      for (const key of ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (container[key] !== undefined) kept[key] = container[key];
      }
      return kept;
    });
  }
  return out;
}

function trimPodStatus(value: unknown): unknown {
  const status = asRecord(value);
  const out: Record<string, unknown> = {};
  for (const key of ['phase', 'podIP', 'podIPs', 'hostIP']) {
    if (status[key] !== undefined) out[key] = status[key];
  }
  return out;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function copyString<K extends keyof ObjectMeta>(from: Record<string, unknown>, to: ObjectMeta, key: K): void {
  const v = from[key];
  if (typeof v === 'string') (to as unknown as Record<string, unknown>)[key] = v;
}
