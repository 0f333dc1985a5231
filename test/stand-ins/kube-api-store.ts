/**
 * The object store behind the Kubernetes API server STAND-IN
 * (kube-api-server.ts): objects per resource type, one global resourceVersion
 * counter (like etcd's revision), an event history that watches replay from,
 * and compaction that makes old resourceVersions answer 410 Gone. Test code
 * only; no I/O.
 */

/** A resource type the stand-in serves (what a CRD or a built-in API registers). */
export interface StandInResource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

export type KubeObject = Record<string, unknown> & { metadata: ObjectMetadata };
export interface ObjectMetadata {
  name: string;
  namespace?: string;
  resourceVersion?: string;
  uid?: string;
  labels?: Record<string, string>;
  [field: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface HistoryEntry {
  readonly rv: number;
  readonly type: WatchEventType;
  readonly resource: string;
  readonly object: KubeObject;
}

/** An API error, answered as a `Status` object with this HTTP code and reason. */
export class StandInStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** `<apiVersion>/<plural>`, e.g. `v1/pods`, `policy.flomesh.io/v1alpha1/egresses`. */
export function resourceId(apiVersion: string, plural: string): string {
  return `${apiVersion}/${plural}`;
}

/** A deep copy: what is stored or handed out never aliases the caller's object. */
export function clone<T>(value: T): T {
  // Objects here are JSON (they came from or go to the wire); a JSON round trip is several times faster than structuredClone.
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export interface KubeApiStore {
  readonly resourceVersion: number;
  /** History before this resourceVersion is gone: watches from older versions get 410. */
  readonly compactedBefore: number;
  resources(): readonly StandInResource[];
  resource(id: string): StandInResource | undefined;
  resourceOfKind(apiVersion: string, kind: string): StandInResource | undefined;
  addResource(r: StandInResource): void;
  /** Drops the type and its objects (no events: its watches are ended by the server). */
  removeResource(id: string): void;
  get(id: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Sorted by namespace then name; `namespace` undefined means all. */
  list(id: string, namespace: string | undefined): KubeObject[];
  create(id: string, obj: KubeObject): KubeObject;
  /** Replaces an existing object; a stale metadata.resourceVersion gives 409 Conflict. */
  update(id: string, obj: KubeObject): KubeObject;
  delete(id: string, namespace: string | undefined, name: string): KubeObject;
  /** Events of `id` after `rv` (exclusive). */
  historySince(id: string, rv: number): HistoryEntry[];
  compact(upTo?: number): void;
  subscribe(listener: (entry: HistoryEntry) => void): () => void;
}

export function createKubeApiStore(initial: readonly StandInResource[]): KubeApiStore {
  const types = new Map<string, StandInResource>();
  const objects = new Map<string, Map<string, KubeObject>>();
  const history: HistoryEntry[] = [];
  const listeners = new Set<(entry: HistoryEntry) => void>();
  let rv = 1;
  let compactedBefore = 0;
  let uid = 0;

  const addResource = (r: StandInResource) => {
    const id = resourceId(r.apiVersion, r.plural);
    types.set(id, r);
    if (!objects.has(id)) objects.set(id, new Map());
  };
  initial.forEach(addResource);

  const bucket = (id: string) => {
    const b = objects.get(id);
    if (!b) throw new StandInStatusError(404, 'NotFound', 'the server could not find the requested resource');
    return b;
  };
  const keyOf = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;
  const record = (type: WatchEventType, id: string, obj: KubeObject) => {
    const entry: HistoryEntry = { rv, type, resource: id, object: clone(obj) };
    history.push(entry);
    for (const l of [...listeners]) l(entry);
  };
  const kindName = (id: string) => types.get(id)?.kind ?? id;

  return {
    get resourceVersion() {
      return rv;
    },
    get compactedBefore() {
      return compactedBefore;
    },
    resources: () => [...types.values()],
    resource: (id) => types.get(id),
    resourceOfKind: (apiVersion, kind) => [...types.values()].find((r) => r.apiVersion === apiVersion && r.kind === kind),
    addResource,
    removeResource(id) {
      types.delete(id);
      objects.delete(id);
    },
    get(id, ns, name) {
      const o = bucket(id).get(keyOf(ns, name));
      return o && clone(o);
    },
    list(id, ns) {
      return [...bucket(id).values()]
        .filter((o) => ns === undefined || o.metadata.namespace === ns)
        .sort((a, b) => keyOf(a.metadata.namespace, a.metadata.name).localeCompare(keyOf(b.metadata.namespace, b.metadata.name)))
        .map(clone);
    },
    create(id, input) {
      const b = bucket(id);
      const obj = clone(input);
      const key = keyOf(obj.metadata.namespace, obj.metadata.name);
      if (b.has(key)) {
        throw new StandInStatusError(409, 'AlreadyExists', `${kindName(id)} "${obj.metadata.name}" already exists`);
      }
      rv++;
      obj.metadata.resourceVersion = String(rv);
      obj.metadata.uid ??= `00000000-0000-4000-8000-${String(++uid).padStart(12, '0')}`;
      obj.metadata['creationTimestamp'] ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      b.set(key, obj);
      record('ADDED', id, obj);
      return clone(obj);
    },
    update(id, input) {
      const b = bucket(id);
      const obj = clone(input);
      const key = keyOf(obj.metadata.namespace, obj.metadata.name);
      const old = b.get(key);
      if (!old) throw new StandInStatusError(404, 'NotFound', `${kindName(id)} "${obj.metadata.name}" not found`);
      const given = obj.metadata.resourceVersion;
      if (given && given !== old.metadata.resourceVersion) {
        throw new StandInStatusError(409, 'Conflict', `Operation cannot be fulfilled on ${kindName(id)} "${obj.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
      }
      rv++;
      obj.metadata.resourceVersion = String(rv);
      obj.metadata.uid = old.metadata.uid;
      obj.metadata['creationTimestamp'] = old.metadata['creationTimestamp'];
      b.set(key, obj);
      record('MODIFIED', id, obj);
      return clone(obj);
    },
    delete(id, ns, name) {
      const b = bucket(id);
      const key = keyOf(ns, name);
      const old = b.get(key);
      if (!old) throw new StandInStatusError(404, 'NotFound', `${kindName(id)} "${name}" not found`);
      b.delete(key);
      rv++;
      old.metadata.resourceVersion = String(rv);
      record('DELETED', id, old);
      return clone(old);
    },
    historySince(id, since) {
      return history.filter((e) => e.rv > since && e.resource === id);
    },
    compact(upTo = rv) {
      compactedBefore = Math.max(compactedBefore, upTo);
      while (history.length > 0 && (history[0]?.rv ?? Infinity) <= upTo) history.shift();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Matches `a=b`, `a==b`, `a!=b`, `a`, `!a` terms joined by commas (set-based terms are not supported). */
export function matchesLabelSelector(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  return selector.split(',').every((raw) => {
    const term = raw.trim();
    if (term === '') return true;
    const ne = term.split('!=');
    if (ne.length === 2) return l[(ne[0] ?? '').trim()] !== (ne[1] ?? '').trim();
    const eq = term.split(/==?/);
    if (eq.length === 2) return l[(eq[0] ?? '').trim()] === (eq[1] ?? '').trim();
    if (term.startsWith('!')) return !(term.slice(1) in l);
    return term in l;
  });
}

/** Matches `metadata.name=x` / `metadata.namespace=y` (with `=`, `==`, `!=`); other fields are unsupported. */
export function matchesFieldSelector(obj: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((raw) => {
    const term = raw.trim();
    if (term === '') return true;
    const negate = term.includes('!=');
    const [field = '', value = ''] = term.split(/!=|==?/).map((s) => s.trim());
    const actual = field === 'metadata.name' ? obj.metadata.name : field === 'metadata.namespace' ? obj.metadata.namespace : undefined;
    if (actual === undefined && field !== 'metadata.namespace') {
      throw new StandInStatusError(400, 'BadRequest', `field label not supported: ${field}`);
    }
    return negate ? actual !== value : actual === value;
  });
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902 JSON patch: add, replace, remove and test (what Kubernetes clients send in practice). */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new StandInStatusError(400, 'BadRequest', 'json patch must be an array');
  const doc = { root: clone(target) } as Record<string, unknown>;
  for (const op of ops as { op?: string; path?: string; value?: unknown }[]) {
    const parts = ['root', ...(op.path ?? '').split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))];
    const last = parts.pop() ?? '';
    let parent: unknown = doc;
    for (const p of parts) parent = (parent as Record<string, unknown>)?.[p];
    if (!parent || typeof parent !== 'object') throw new StandInStatusError(422, 'Invalid', `json patch path not found: ${op.path}`);
    const container = parent as Record<string, unknown> | unknown[];
    const index = Array.isArray(container) ? (last === '-' ? container.length : Number(last)) : -1;
    switch (op.op) {
      case 'add':
        if (Array.isArray(container)) container.splice(index, 0, clone(op.value));
        else container[last] = clone(op.value);
        break;
      case 'replace':
        if (Array.isArray(container)) container[index] = clone(op.value);
        else container[last] = clone(op.value);
        break;
      case 'remove':
        if (Array.isArray(container)) container.splice(index, 1);
        else delete container[last];
        break;
      case 'test':
        if (JSON.stringify(Array.isArray(container) ? container[index] : container[last]) !== JSON.stringify(op.value)) {
          throw new StandInStatusError(422, 'Invalid', `json patch test failed at ${op.path}`);
        }
        break;
      default:
        throw new StandInStatusError(422, 'Invalid', `json patch op not supported: ${String(op.op)}`);
    }
  }
  return doc['root'];
}
