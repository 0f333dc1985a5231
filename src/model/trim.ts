/**
 * Trims objects to the fields generators read before the store (and the
 * Kubernetes source's list/watch state) keeps them:
 * no managedFields, no unused status, no container images or env. Strings
 * that repeat across thousands of objects (namespaces, label and annotation
 * keys, kinds, service accounts) are interned so each distinct value is held
 * once; label values are not (many are unique, e.g. fsm-proxy-uuid).
 */
import type { MeshObject, ObjectMeta } from './types.js';

const interned = new Map<string, string>();
const INTERN_LIMIT = 200_000;

/** One shared copy per distinct short string (bounded, so unique values cannot grow it forever). */
export function intern(s: string): string {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (s.length <= 64 && interned.size < INTERN_LIMIT) interned.set(s, s);
  return s;
}

function internRecord(r: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!r) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) out[intern(k)] = v;
  return out;
}

function trimMeta(m: ObjectMeta): ObjectMeta {
  const out: ObjectMeta = { name: m.name };
  if (m.namespace) out.namespace = intern(m.namespace);
  if (m.labels && Object.keys(m.labels).length > 0) out.labels = internRecord(m.labels) as Record<string, string>;
  if (m.annotations && Object.keys(m.annotations).length > 0) {
    // kubectl's last-applied copy doubles an object's size and nobody reads it.
    const { ['kubectl.kubernetes.io/last-applied-configuration']: _dropped, ...rest } = m.annotations;
    if (Object.keys(rest).length > 0) out.annotations = internRecord(rest) as Record<string, string>;
  }
  if (m.uid) out.uid = m.uid;
  // The Kubernetes source diffs relists by it.
  if (m.resourceVersion) out.resourceVersion = m.resourceVersion;
  if (typeof m.generation === 'number') out.generation = m.generation;
  if (m.creationTimestamp) out.creationTimestamp = m.creationTimestamp;
  if (m.deletionTimestamp) out.deletionTimestamp = m.deletionTimestamp;
  if (m.ownerReferences && m.ownerReferences.length > 0) {
    out.ownerReferences = m.ownerReferences.map((o) => ({ apiVersion: intern(o.apiVersion), kind: intern(o.kind), name: o.name, ...(o.controller !== undefined ? { controller: o.controller } : {}) }));
  }
  return out;
}

type Json = Record<string, unknown>;

function trimPod(obj: MeshObject): MeshObject {
  const spec = (obj.spec ?? {}) as Json;
  const status = (obj.status ?? {}) as Json;
  const outSpec: Json = {};
  if (typeof spec['serviceAccountName'] === 'string') outSpec['serviceAccountName'] = intern(spec['serviceAccountName']);
  if (typeof spec['nodeName'] === 'string') outSpec['nodeName'] = intern(spec['nodeName']);
  if (Array.isArray(spec['containers'])) {
    const containers = (spec['containers'] as Json[]).map((c) => {
      const o: Json = { name: intern(String(c['name'])) };
      if (Array.isArray(c['ports']) && c['ports'].length > 0) o['ports'] = c['ports'];
      for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) if (c[p]) o[p] = c[p];
      return o;
    });
    outSpec['containers'] = containers;
  }
  const outStatus: Json = {};
  if (typeof status['podIP'] === 'string') outStatus['podIP'] = status['podIP'];
  if (Array.isArray(status['podIPs']) && status['podIPs'].length > 1) outStatus['podIPs'] = status['podIPs'];
  if (typeof status['phase'] === 'string') outStatus['phase'] = intern(status['phase']);
  return { apiVersion: intern(obj.apiVersion), kind: intern(obj.kind), metadata: trimMeta(obj.metadata), spec: outSpec, status: outStatus };
}

/** Kinds whose data lives outside spec/status. */
const EXTRA_FIELDS: Record<string, readonly string[]> = {
  EndpointSlice: ['addressType', 'endpoints', 'ports'],
  Endpoints: ['subsets'],
  Secret: ['type', 'data', 'stringData'],
  // The rotation phase of a root lives in its status.
  MeshRootCertificate: ['status'],
};

/** The trimmed copy the store keeps. The input is not modified. */
export function trimObject(obj: MeshObject): MeshObject {
  if (obj.kind === 'Pod') return trimPod(obj);
  const out: MeshObject = { apiVersion: intern(obj.apiVersion), kind: intern(obj.kind), metadata: trimMeta(obj.metadata) };
  if (obj.spec !== undefined) out.spec = obj.spec;
  // Status is read only for kinds whose status carries mesh data (none of the policy kinds).
  for (const f of EXTRA_FIELDS[obj.kind] ?? []) if (obj[f] !== undefined) out[f] = obj[f];
  return out;
}
