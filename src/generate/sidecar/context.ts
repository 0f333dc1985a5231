/**
 * What every part of the sidecar generator shares for one proxy: the model
 * view, the proxy, the MeshConfig settings, the problems found so far and the
 * dependency keys read. Recording a key whenever a part reads a piece of the
 * model is what lets the config set recompute only proxies a change touches
 * (see dependency-keys.ts for the key grammar).
 */
import type { ModelView, ProxyInfo } from '../../model/view.js';
import { matchesServiceSelector } from '../../model/selectors.js';
import type { MeshObject, Pod, Service } from '../../model/types.js';
import type { SidecarMeshSettings } from './mesh-settings.js';
import type { GenerationProblem } from './types.js';

export interface GenContext {
  readonly view: ModelView;
  readonly proxy: ProxyInfo;
  readonly mesh: SidecarMeshSettings;
  readonly trustDomain: string;
  readonly problems: GenerationProblem[];
  /** Dependency keys read while generating (see dependency-keys.ts). */
  readonly deps: Set<string>;
  /** Per-batch memo of identity lookups; valid only while the view does not change. */
  readonly cache: GenCache;
}

/** A memoised result with what computing it recorded, replayed into every proxy that reuses it. */
interface MemoEntry {
  readonly value: unknown;
  readonly deps: readonly string[];
  readonly problems: readonly GenerationProblem[];
}

/**
 * Results many proxies of one batch share; a config set makes one per
 * `recompute` call (the view must not change while it lives). Memoised
 * values are shared between proxies: never mutate one.
 */
export interface GenCache {
  readonly memo: Map<string, MemoEntry>;
  /** Per namespace: the services whose selector has a given pair (see SelectorIndexes). */
  readonly selectorIndexes: SelectorIndexes;
  /**
   * A key naming a document's parts → its body (canonical JSON without
   * Ts/Version), version and full text: replicas of one workload usually get
   * identical documents, serialised and hashed once, sharing one string.
   */
  readonly documents: Map<string, { readonly body: string; readonly version: string; readonly json: string }>;
  /** The MeshConfig settings, read once per batch. */
  meshSettings?: SidecarMeshSettings;
}

/**
 * Per namespace, the view's Service list it was built from and
 * `key\u0000value` of one selector pair → the services whose selector has
 * it. The store replaces a namespace's list when one of its Services
 * changes, so an index whose list is still the view's is current and may
 * outlive a batch.
 */
export type SelectorIndexes = Map<string, { readonly services: readonly Service[]; readonly byPair: Map<string, Service[]> }>;

export function createGenCache(options: { selectorIndexes?: SelectorIndexes } = {}): GenCache {
  return { memo: new Map(), selectorIndexes: options.selectorIndexes ?? new Map(), documents: new Map() };
}

/**
 * `compute(sub)` once per batch for `key`. The dependency keys and problems
 * it records are kept and replayed into every later caller, so a proxy that
 * reuses a result depends on (and reports) exactly what computing it would
 * have. `key` must name every input `compute` reads from the proxy.
 */
export function memoize<T>(ctx: GenContext, key: string, compute: (sub: GenContext) => T): T {
  let entry = ctx.cache.memo.get(key);
  if (!entry) {
    const sub: GenContext = { ...ctx, deps: new Set(), problems: [] };
    entry = { value: compute(sub), deps: [...sub.deps], problems: sub.problems };
    ctx.cache.memo.set(key, entry);
  }
  for (const d of entry.deps) ctx.deps.add(d);
  for (const p of entry.problems) ctx.problems.push(p);
  return entry.value as T;
}

/** Services in the pod's namespace whose selector matches its labels, by name (the view's servicesForPod, indexed once per batch). */
export function servicesForPod(ctx: GenContext, pod: Pod): readonly Service[] {
  const ns = pod.metadata.namespace ?? '';
  const services = ctx.view.list<Service>('Service', ns);
  let entry = ctx.cache.selectorIndexes.get(ns);
  if (entry?.services !== services) {
    const byPair = new Map<string, Service[]>();
    for (const svc of services) {
      const first = Object.entries(svc.spec?.selector ?? {})[0];
      if (!first) continue;
      const k = `${first[0]}\u0000${first[1]}`;
      const list = byPair.get(k);
      if (list) list.push(svc);
      else byPair.set(k, [svc]);
    }
    entry = { services, byPair };
    ctx.cache.selectorIndexes.set(ns, entry);
  }
  const index = entry.byPair;
  const out: Service[] = [];
  for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) {
    for (const svc of index.get(`${k}\u0000${v}`) ?? []) {
      if (matchesServiceSelector(svc.spec?.selector, pod.metadata.labels)) out.push(svc);
    }
  }
  return out.length > 1 ? sorted(out, (s) => s.metadata.name) : out;
}

/** `Kind namespace/name` for problem reports. */
export function describe(obj: MeshObject): string {
  const ns = obj.metadata.namespace;
  return `${obj.kind} ${ns ? `${ns}/` : ''}${obj.metadata.name}`;
}

export function report(ctx: GenContext, obj: MeshObject, reason: string, extra: { code?: string; field?: string } = {}): void {
  ctx.problems.push({ object: describe(obj), reason, ...extra });
}

/** Sorted copy (code-point order) so that output never depends on input order. */
export function sorted<T>(items: Iterable<T>, key: (t: T) => string): T[] {
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
