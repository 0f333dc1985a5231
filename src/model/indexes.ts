/**
 * Secondary indexes over the visible objects of the store: pods by service
 * account and by label, endpoint slices by service, policies by target,
 * proxies by uuid. The store calls add/remove for every object entering or
 * leaving the view; the indexes never hold an object the view does not.
 */
import { Labels, type MeshObject, type Pod } from './types.js';
import { policyTargets, trafficTargetSources } from './policy-targets.js';

/** A set keyed by `kind/namespace/name`-like strings, holding the objects. */
type Bucket = Map<string, MeshObject>;

function bucketAdd(index: Map<string, Bucket>, key: string, id: string, obj: MeshObject): void {
  let b = index.get(key);
  if (!b) index.set(key, (b = new Map()));
  b.set(id, obj);
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
  /** Pods of `ns/sa`. */
  podsBySa(namespace: string, serviceAccount: string): Iterable<Pod>;
  /** Pods in `ns` carrying the label pair. */
  podsByLabel(namespace: string, key: string, value: string): Bucket | undefined;
  endpointSlices(namespace: string, service: string): Iterable<MeshObject>;
  /** Policies of `kind` targeting a service (`ns/name`) or an identity (`sa.ns`). */
  policies(kind: string, target: { service?: string; identity?: string }): Iterable<MeshObject>;
  /** TrafficTargets listing the identity as a source. */
  trafficTargetsFromSource(identity: string): Iterable<MeshObject>;
  proxyPod(uuid: string): Pod | undefined;
  proxyUuids(): Iterable<string>;
  readonly proxyCount: number;
}

const EMPTY: Bucket = new Map();

function nameOf(obj: MeshObject): string {
  return obj.metadata.name;
}

export function createModelIndexes(): ModelIndexes {
  const bySa = new Map<string, Bucket>();
  const byLabel = new Map<string, Bucket>();
  const slices = new Map<string, Bucket>();
  const policies = new Map<string, Bucket>();
  const ttBySource = new Map<string, Bucket>();
  const proxies = new Map<string, Pod>();

  const saKey = (ns: string, sa: string) => `${ns}/${sa}`;
  const labelKey = (ns: string, k: string, v: string) => `${ns}\u0000${k}\u0000${v}`;

  function apply(obj: MeshObject, adding: boolean): void {
    const ns = obj.metadata.namespace ?? '';
    const id = nameOf(obj);
    switch (obj.kind) {
      case 'Pod': {
        const pod = obj as Pod;
        const sa = pod.spec?.serviceAccountName || 'default';
        if (adding) bucketAdd(bySa, saKey(ns, sa), id, obj);
        else bucketRemove(bySa, saKey(ns, sa), id);
        for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
          if (adding) bucketAdd(byLabel, labelKey(ns, k, v), id, obj);
          else bucketRemove(byLabel, labelKey(ns, k, v), id);
        }
        const uuid = obj.metadata.labels?.[Labels.ProxyUUID];
        if (uuid) {
          if (adding) proxies.set(uuid, pod);
          else if (proxies.get(uuid) === pod) proxies.delete(uuid);
        }
        return;
      }
      case 'EndpointSlice': {
        const svc = obj.metadata.labels?.[Labels.EndpointSliceService];
        if (!svc) return;
        if (adding) bucketAdd(slices, `${ns}/${svc}`, `s/${id}`, obj);
        else bucketRemove(slices, `${ns}/${svc}`, `s/${id}`);
        return;
      }
      case 'Endpoints': {
        if (adding) bucketAdd(slices, `${ns}/${id}`, `e/${id}`, obj);
        else bucketRemove(slices, `${ns}/${id}`, `e/${id}`);
        return;
      }
      default: {
        const t = policyTargets(obj);
        const pid = `${ns}/${id}`;
        for (const s of t.services) {
          if (adding) bucketAdd(policies, `${obj.kind}\u0000s\u0000${s}`, pid, obj);
          else bucketRemove(policies, `${obj.kind}\u0000s\u0000${s}`, pid);
        }
        for (const i of t.identities) {
          if (adding) bucketAdd(policies, `${obj.kind}\u0000i\u0000${i}`, pid, obj);
          else bucketRemove(policies, `${obj.kind}\u0000i\u0000${i}`, pid);
        }
        if (obj.kind === 'TrafficTarget') {
          for (const i of trafficTargetSources(obj)) {
            if (adding) bucketAdd(ttBySource, i, pid, obj);
            else bucketRemove(ttBySource, i, pid);
          }
        }
      }
    }
  }

  return {
    add: (obj) => apply(obj, true),
    remove: (obj) => apply(obj, false),
    podsBySa: (ns, sa) => (bySa.get(saKey(ns, sa)) ?? EMPTY).values() as Iterable<Pod>,
    podsByLabel: (ns, k, v) => byLabel.get(labelKey(ns, k, v)),
    endpointSlices: (ns, svc) => (slices.get(`${ns}/${svc}`) ?? EMPTY).values(),
    policies: (kind, target) => {
      const key = target.service !== undefined ? `${kind}\u0000s\u0000${target.service}` : `${kind}\u0000i\u0000${target.identity ?? ''}`;
      return (policies.get(key) ?? EMPTY).values();
    },
    trafficTargetsFromSource: (identity) => (ttBySource.get(identity) ?? EMPTY).values(),
    proxyPod: (uuid) => proxies.get(uuid),
    proxyUuids: () => proxies.keys(),
    get proxyCount() {
      return proxies.size;
    },
  };
}
