/**
 * Secondary indexes over the visible objects of the store: pods by service
 * account and by label, endpoint slices by service, policies by target,
 * proxies by uuid. The store calls add/remove for every object entering or
 * leaving the view; the indexes never hold an object the view does not.
 */
import { Labels, type MeshObject, type Pod } from './types.js';
import { policyTargets } from './policy-targets.js';

/**
 * Member ids of one index entry (object names, or `ns/name` where the entry
 * spans namespaces). Ids rather than objects, so that an update that keeps
 * the indexed fields (a pod IP change) needs no index work at all.
 */
type Bucket = Set<string>;

function bucketAdd(index: Map<string, Bucket>, key: string, id: string): void {
  let b = index.get(key);
  if (!b) index.set(key, (b = new Set()));
  b.add(id);
}

function bucketRemove(index: Map<string, Bucket>, key: string, id: string): void {
  const b = index.get(key);
  if (!b) return;
  b.delete(id);
  if (b.size === 0) index.delete(key);
}

export interface ModelIndexes {
  add(obj: MeshObject): void;
  remove(obj: MeshObject): void;
  /** True when replacing `a` by `b` leaves every index unchanged. */
  sameIndexKeys(a: MeshObject, b: MeshObject): boolean;
  /** Pods of `ns/sa`. */
  podsBySa(namespace: string, serviceAccount: string): Iterable<Pod>;
  /** Names of the pods in `ns` carrying the label pair. */
  podsByLabel(namespace: string, key: string, value: string): ReadonlySet<string> | undefined;
  /** EndpointSlices labelled for `ns/service`, and the legacy Endpoints of that name. */
  endpointSlices(namespace: string, service: string): Iterable<MeshObject>;
  /** Policies of `kind` targeting a service (`ns/name`) or an identity (`sa.ns`). */
  policies(kind: string, target: { service?: string; identity?: string }): Iterable<MeshObject>;
  proxyPod(uuid: string): Pod | undefined;
  proxyUuids(): Iterable<string>;
}

const EMPTY: Bucket = new Set();

function nameOf(obj: MeshObject): string {
  return obj.metadata.name;
}

/** Resolves ids back to the objects of the store. */
export type ObjectLookup = (kind: string, namespace: string, name: string) => MeshObject | undefined;

function sameRecord(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  if (a === b) return true;
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  for (const k of ka) if (a?.[k] !== b?.[k]) return false;
  return true;
}

export function createModelIndexes(lookup: ObjectLookup): ModelIndexes {
  const bySa = new Map<string, Bucket>();
  const byLabel = new Map<string, Bucket>();
  const slices = new Map<string, Bucket>();
  const policies = new Map<string, Bucket>();
  /** uuid → `ns/name` of the pod. */
  const proxies = new Map<string, string>();

  const saKey = (ns: string, sa: string) => `${ns}/${sa}`;
  const labelKey = (ns: string, k: string, v: string) => `${ns}\u0000${k}\u0000${v}`;

  function apply(obj: MeshObject, adding: boolean): void {
    const ns = obj.metadata.namespace ?? '';
    const id = nameOf(obj);
    switch (obj.kind) {
      case 'Pod': {
        const pod = obj as Pod;
        const sa = pod.spec?.serviceAccountName || 'default';
        if (adding) bucketAdd(bySa, saKey(ns, sa), id);
        else bucketRemove(bySa, saKey(ns, sa), id);
        for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
          // The uuid label is unique per pod; the proxy map below indexes it.
          if (k === Labels.ProxyUUID) continue;
          if (adding) bucketAdd(byLabel, labelKey(ns, k, v), id);
          else bucketRemove(byLabel, labelKey(ns, k, v), id);
        }
        const uuid = obj.metadata.labels?.[Labels.ProxyUUID];
        if (uuid) {
          if (adding) proxies.set(uuid, `${ns}/${id}`);
          else if (proxies.get(uuid) === `${ns}/${id}`) proxies.delete(uuid);
        }
        return;
      }
      case 'EndpointSlice': {
        const svc = obj.metadata.labels?.[Labels.EndpointSliceService];
        if (!svc) return;
        if (adding) bucketAdd(slices, `${ns}/${svc}`, `s/${id}`);
        else bucketRemove(slices, `${ns}/${svc}`, `s/${id}`);
        return;
      }
      case 'Endpoints': {
        if (adding) bucketAdd(slices, `${ns}/${id}`, `e/${id}`);
        else bucketRemove(slices, `${ns}/${id}`, `e/${id}`);
        return;
      }
      default: {
        const t = policyTargets(obj);
        const pid = `${ns}/${id}`;
        for (const s of t.services) {
          if (adding) bucketAdd(policies, `${obj.kind}\u0000s\u0000${s}`, pid);
          else bucketRemove(policies, `${obj.kind}\u0000s\u0000${s}`, pid);
        }
        for (const i of t.identities) {
          if (adding) bucketAdd(policies, `${obj.kind}\u0000i\u0000${i}`, pid);
          else bucketRemove(policies, `${obj.kind}\u0000i\u0000${i}`, pid);
        }
      }
    }
  }

  function* resolve(kind: string, ns: string, ids: Iterable<string>): Iterable<MeshObject> {
    for (const id of ids) {
      const o = lookup(kind, ns, id);
      if (o) yield o;
    }
  }
  function* resolveQualified(kind: string, ids: Iterable<string>): Iterable<MeshObject> {
    for (const id of ids) {
      const slash = id.indexOf('/');
      const o = lookup(kind, id.slice(0, slash), id.slice(slash + 1));
      if (o) yield o;
    }
  }
  function* resolveSlices(ns: string, ids: Iterable<string>): Iterable<MeshObject> {
    for (const id of ids) {
      const o = lookup(id.startsWith('s/') ? 'EndpointSlice' : 'Endpoints', ns, id.slice(2));
      if (o) yield o;
    }
  }

  function sameIndexKeys(a: MeshObject, b: MeshObject): boolean {
    switch (a.kind) {
      case 'Pod':
        return (
          ((a as Pod).spec?.serviceAccountName || 'default') === ((b as Pod).spec?.serviceAccountName || 'default') &&
          sameRecord(a.metadata.labels, b.metadata.labels)
        );
      case 'EndpointSlice':
        return a.metadata.labels?.[Labels.EndpointSliceService] === b.metadata.labels?.[Labels.EndpointSliceService];
      case 'Endpoints':
        return true;
      default: {
        const ta = policyTargets(a);
        const tb = policyTargets(b);
        const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
        return same(ta.services, tb.services) && same(ta.identities, tb.identities);
      }
    }
  }

  return {
    add: (obj) => apply(obj, true),
    remove: (obj) => apply(obj, false),
    sameIndexKeys,
    podsBySa: (ns, sa) => resolve('Pod', ns, bySa.get(saKey(ns, sa)) ?? EMPTY) as Iterable<Pod>,
    podsByLabel: (ns, k, v) => byLabel.get(labelKey(ns, k, v)),
    endpointSlices: (ns, svc) => resolveSlices(ns, slices.get(`${ns}/${svc}`) ?? EMPTY),
    policies: (kind, target) => {
      const key = target.service !== undefined ? `${kind}\u0000s\u0000${target.service}` : `${kind}\u0000i\u0000${target.identity ?? ''}`;
      return resolveQualified(kind, policies.get(key) ?? EMPTY);
    },
    proxyPod: (uuid) => {
      const id = proxies.get(uuid);
      if (id === undefined) return undefined;
      const slash = id.indexOf('/');
      return lookup('Pod', id.slice(0, slash), id.slice(slash + 1)) as Pod | undefined;
    },
    proxyUuids: () => proxies.keys(),
  };
}
