/**
 * The model store: accepted objects, the indexes generators need, namespace
 * monitoring, the effective MeshConfig, change notifications and error
 * bookkeeping. Implements ModelView for generators.
 *
 * Contract: `apply` is the only mutator. A batch is applied atomically
 * (listeners see one change list per batch). An invalid object is refused:
 * its last good version stays, its error is listed by errors() until the
 * object is fixed or deleted. Returned objects are shared and must not be
 * mutated.
 */
import type { Logger } from '../shared/logger.js';
import { silentLogger } from '../shared/logger.js';
import type { SourceEvent, SourceOrigin, SourceProblem } from './source-events.js';
import { describeObject, locateError, type ModelError } from './errors.js';
import { createModelIndexes } from './indexes.js';
import { kindInfo } from './kinds/kind-list.js';
import { endpointsToSlices } from './legacy-endpoints.js';
import {
  MESH_CONFIG_KIND,
  MESH_CONFIG_NAME,
  createMeshConfigView,
  effectiveMeshConfigSpec,
  type MeshConfigView,
} from './mesh-config.js';
import { createObjectTable, deepEqual } from './object-table.js';
import { matchesServiceSelector } from './selectors.js';
import { trimObject } from './trim.js';
import { Labels, objectKey, type EndpointSlice, type Endpoints, type MeshObject, type Pod, type Service } from './types.js';
import type { ModelChange, ModelView, ProxyInfo } from './view.js';
import { crossCheck } from './validation/cross-checks.js';
import { validateObject } from './validation/validate-object.js';

export interface ModelStoreOptions {
  /** `--mesh-name`: namespaces labelled `flomesh.io/monitored-by=<meshName>` are observed. Default `fsm`. */
  meshName?: string;
  /** `--fsm-namespace`: where the MeshConfig lives. Default `fsm-system`. */
  fsmNamespace?: string;
  /**
   * Errors raised before `sourcesSynced()` are not counted (`errorCounts`,
   * `onError`) as they happen: during an initial sync objects arrive in any
   * order (a TrafficTarget before its HTTPRouteGroup, a Service before its
   * endpoints), and counting those would trip error alerts on every restart.
   * At `sourcesSynced()` the errors still present are counted once. Default
   * false: every error is counted when raised.
   */
  countErrorsAfterSync?: boolean;
  logger?: Logger;
}

/** A source event as FSM's informers count it (fsm_k8s_api_event_count). */
export interface ObservedEvent {
  readonly type: 'added' | 'updated' | 'deleted';
  readonly kind: string;
  readonly apiVersion: string;
  /** "" for cluster-scoped kinds. */
  readonly namespace: string;
}

export interface ApplyResult {
  /** Net changes of the view, one per object, in first-touched order. */
  readonly changes: readonly ModelChange[];
  /** Errors raised by this batch (refusals and new cross-object problems). */
  readonly errors: readonly ModelError[];
  /**
   * The batch's source events for objects observed once it is applied (in
   * the mesh's namespaces, or of kinds seen regardless), in order: an upsert
   * is `added` or `updated` by whether the object was held before (refused
   * upserts too); an upsert equal to the object held, and a delete of an
   * object not held, are no event.
   */
  readonly events: readonly ObservedEvent[];
}

export interface ModelStore extends ModelView {
  /** Applies a batch of source events atomically; never throws for bad input. */
  apply(events: readonly SourceEvent[]): ApplyResult;
  /** Problems a source reported for a scope (a file, a watch); an empty list clears the scope. */
  setSourceProblems(scope: string, problems: readonly SourceProblem[]): void;
  /** Every current problem (refused objects, cross-object problems, source problems and warnings), sorted. */
  errors(): readonly ModelError[];
  /** How many times each FSM error code was raised (for `fsm_error_err_code_count{err_code}`). */
  errorCounts(): ReadonlyMap<string, number>;
  /** Called once for every error raised, not for warnings (see ModelStoreOptions.countErrorsAfterSync); returns an unsubscribe function. */
  onError(listener: (error: ModelError) => void): () => void;
  /** The sources have synced: from now on errors are counted when raised; the ones present now are counted once. Idempotent. */
  sourcesSynced(): void;
  /** Number of accepted objects (of one kind, or all), observed or not. */
  count(kind?: string): number;
}

const CORE_NO_ORIGIN = new Set(['Pod', 'EndpointSlice', 'Endpoints']);

/** Kinds of the fsm namespace the model reads though the namespace is not part of the mesh. */
const CONTROL_PLANE_KINDS = new Set([MESH_CONFIG_KIND, 'MeshRootCertificate', 'Service', 'EndpointSlice', 'Endpoints']);

export function createModelStore(options: ModelStoreOptions = {}): ModelStore {
  const meshName = options.meshName ?? 'fsm';
  const fsmNamespace = options.fsmNamespace ?? 'fsm-system';
  const logger = options.logger ?? silentLogger;
  const table = createObjectTable();
  const idx = createModelIndexes((kind, ns, name) => table.get(kind, ns, name));
  const monitored = new Set<string>();
  const origins = new Map<string, SourceOrigin>();
  const refusals = new Map<string, ModelError[]>();
  const diagnostics = new Map<string, ModelError[]>();
  const sourceProblems = new Map<string, ModelError[]>();
  const counts = new Map<string, number>();
  const errorListeners = new Set<(e: ModelError) => void>();
  let meshConfig: MeshConfigView = createMeshConfigView(effectiveMeshConfigSpec(undefined));
  let proxyCache: readonly ProxyInfo[] | undefined;
  let namespaceCache: readonly string[] | undefined;

  const nsOf = (obj: Pick<MeshObject, 'kind' | 'metadata'>): string =>
    kindInfo(obj.kind)?.namespaced === false ? '' : obj.metadata.namespace || 'default';

  /**
   * Objects seen whatever the namespace's monitoring: the control plane's own
   * kinds in the fsm namespace (MeshConfig, MeshRootCertificate) and the
   * Services behind its egress gateway there; EgressGateways in any namespace,
   * as FSM lists them cluster-wide (its documented example lives in fsm-system);
   * connectors (kinds marked anyNamespace) in any namespace, as FSM's
   * connector controller watches them.
   */
  const observedRegardless = (kind: string, ns: string): boolean =>
    ns === '' || kindInfo(kind)?.anyNamespace === true || (ns === fsmNamespace && CONTROL_PLANE_KINDS.has(kind));
  const observed = (kind: string, ns: string): boolean => monitored.has(ns) || observedRegardless(kind, ns);

  const isMonitoredNamespace = (nsObj: MeshObject | undefined): boolean => {
    const labels = nsObj?.metadata.labels;
    return !!labels && labels[Labels.MonitoredBy] === meshName && labels[Labels.Ignore] === undefined;
  };

  /**
   * Registry-sourced Services (labelled fsm-connector-cloud-sourced-service)
   * per namespace. A namespace without a Namespace object is meshed while it
   * holds one: registry sources place their services in a namespace that
   * may exist nowhere else (no Kubernetes at all). A Namespace object, when
   * there is one, decides as always (FSM: the connector's namespace must be
   * meshed).
   */
  const registryServices = new Map<string, number>();
  const isRegistryService = (obj: MeshObject | undefined): boolean =>
    obj?.kind === 'Service' && obj.metadata.labels?.[Labels.CloudSourcedService] === 'true';
  const shouldMonitor = (ns: string): boolean => {
    const nsObj = table.get('Namespace', '', ns);
    return nsObj ? isMonitoredNamespace(nsObj) : (registryServices.get(ns) ?? 0) > 0;
  };

  let counting = !options.countErrorsAfterSync;
  /** Counts and announces an error; warnings are listed, never counted. */
  const count = (e: ModelError) => {
    if (e.severity === 'warning') return;
    if (e.code) counts.set(e.code, (counts.get(e.code) ?? 0) + 1);
    for (const l of errorListeners) l(e);
  };
  /** Lists the error (located at its field's line); counted now, or at sourcesSynced(). */
  const raise = (error: ModelError, into: ModelError[]) => {
    const e = locateError(error);
    into.push(e);
    if (counting) count(e);
  };

  const isMeshConfig = (obj: MeshObject) =>
    obj.kind === MESH_CONFIG_KIND && obj.metadata.name === MESH_CONFIG_NAME && nsOf(obj) === fsmNamespace;

  function proxyInfo(pod: Pod): ProxyInfo {
    const uuid = pod.metadata.labels?.[Labels.ProxyUUID] ?? '';
    const ns = pod.metadata.namespace ?? '';
    const sa = pod.spec?.serviceAccountName || 'default';
    return {
      uuid,
      namespace: ns,
      podName: pod.metadata.name,
      serviceAccount: sa,
      identity: `${sa}.${ns}`,
      cnPrefix: `${uuid}.sidecar.${sa}.${ns}`,
      pod,
    };
  }

  function listKind<T extends MeshObject>(kind: string, namespace?: string): readonly T[] {
    if (namespace !== undefined) {
      const ns = kindInfo(kind)?.namespaced === false ? '' : namespace;
      return observed(kind, ns) ? (table.sorted(kind, ns) as readonly T[]) : [];
    }
    // Across namespaces: the mesh's namespaces (the fsm namespace's Services are not mesh services).
    const everywhere = kindInfo(kind)?.anyNamespace === true;
    const namespaces = [...table.namespacesOf(kind)].filter((ns) => monitored.has(ns) || ns === '' || everywhere).sort();
    if (namespaces.length === 1) return table.sorted(kind, namespaces[0] as string) as readonly T[];
    const out: T[] = [];
    for (const ns of namespaces) out.push(...(table.sorted(kind, ns) as readonly T[]));
    return out;
  }

  const byName = (a: MeshObject, b: MeshObject) =>
    a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  const byNsName = (a: MeshObject, b: MeshObject) => {
    const na = a.metadata.namespace ?? '';
    const nb = b.metadata.namespace ?? '';
    return na < nb ? -1 : na > nb ? 1 : byName(a, b);
  };

  const view: ModelView = {
    get meshConfig() {
      return meshConfig;
    },
    get<T extends MeshObject = MeshObject>(kind: string, namespace: string | undefined, name: string): T | undefined {
      const ns = kindInfo(kind)?.namespaced === false ? '' : namespace || 'default';
      return observed(kind, ns) ? (table.get(kind, ns, name) as T | undefined) : undefined;
    },
    list: listKind,
    namespaces() {
      namespaceCache ??= [...monitored].sort();
      return namespaceCache;
    },
    proxies() {
      proxyCache ??= [...idx.proxyUuids()].sort().map((u) => proxyInfo(idx.proxyPod(u) as Pod));
      return proxyCache;
    },
    proxyByUuid(uuid) {
      const pod = idx.proxyPod(uuid);
      return pod ? proxyInfo(pod) : undefined;
    },
    podsByServiceAccount(namespace, serviceAccount) {
      return [...idx.podsBySa(namespace, serviceAccount)].sort(byName);
    },
    servicesForPod(pod) {
      const ns = pod.metadata.namespace ?? '';
      return listKind<Service>('Service', ns).filter((s) => matchesServiceSelector(s.spec?.selector, pod.metadata.labels));
    },
    podsForService(service) {
      const ns = service.metadata.namespace ?? '';
      const selector = service.spec?.selector;
      if (!selector || Object.keys(selector).length === 0 || !observed('Pod', ns)) return [];
      let smallest: ReadonlySet<string> | undefined;
      for (const [k, v] of Object.entries(selector)) {
        // The uuid label is not in the label index (it is unique per pod); the proxy map answers it.
        const proxy = k === Labels.ProxyUUID ? idx.proxyPod(v) : undefined;
        const b = k === Labels.ProxyUUID ? (proxy && proxy.metadata.namespace === ns ? new Set([proxy.metadata.name]) : undefined) : idx.podsByLabel(ns, k, v);
        if (!b) return [];
        if (!smallest || b.size < smallest.size) smallest = b;
      }
      const out: Pod[] = [];
      for (const name of smallest ?? []) {
        const p = table.get('Pod', ns, name);
        if (p && matchesServiceSelector(selector, p.metadata.labels)) out.push(p as Pod);
      }
      return out.sort(byName);
    },
    endpointSlicesForService(namespace, service) {
      const out: EndpointSlice[] = [];
      for (const o of idx.endpointSlices(namespace, service)) {
        if (o.kind === 'Endpoints') out.push(...endpointsToSlices(o as Endpoints));
        else out.push(o as EndpointSlice);
      }
      return out.sort(byName);
    },
    policiesFor<T extends MeshObject = MeshObject>(kind: string, target: { service?: string; identity?: string }): readonly T[] {
      return ([...idx.policies(kind, target)] as T[]).sort(byNsName);
    },
  };

  function recomputeMeshConfig(): void {
    const stored = table.get(MESH_CONFIG_KIND, fsmNamespace, MESH_CONFIG_NAME);
    meshConfig = createMeshConfigView(effectiveMeshConfigSpec(stored?.spec));
  }

  function apply(events: readonly SourceEvent[]): ApplyResult {
    const pending = new Map<string, { kind: string; old?: MeshObject; new?: MeshObject }>();
    const raised: ModelError[] = [];
    const candidates: ObservedEvent[] = [];
    let namespacesChanged = false;

    const record = (kind: string, key: string, oldObj: MeshObject | undefined, newObj: MeshObject | undefined) => {
      const p = pending.get(key);
      if (p) p.new = newObj;
      else pending.set(key, { kind, ...(oldObj ? { old: oldObj } : {}), ...(newObj ? { new: newObj } : {}) });
      if (oldObj && newObj && idx.sameIndexKeys(oldObj, newObj)) return;
      if (oldObj) idx.remove(oldObj);
      if (newObj) idx.add(newObj);
    };

    const setVisibility = (ns: string, visible: boolean) => {
      for (const kind of [...table.kinds()]) {
        if (kind === 'Namespace' || observedRegardless(kind, ns)) continue;
        for (const obj of table.sorted(kind, ns)) {
          const key = objectKey(kind, ns, obj.metadata.name);
          if (visible) record(kind, key, undefined, obj);
          else record(kind, key, obj, undefined);
        }
      }
    };

    for (const ev of events) {
      const raw = ev.object;
      const info = raw && typeof raw === 'object' ? kindInfo(String(raw.kind)) : undefined;
      const name = raw?.metadata?.name;
      if (!info || typeof name !== 'string' || name === '') {
        // Kept under a key of its own so errors() lists it until the object is deleted or fixed.
        const badKey = `?${String(raw?.kind)}/${String(raw?.metadata?.namespace ?? '')}/${String(name)}`;
        if (ev.type === 'delete') {
          refusals.delete(badKey);
          continue;
        }
        const what = raw && typeof raw === 'object' ? describeObject(String(raw.kind), raw.metadata?.namespace, String(name)) : 'object';
        const errs: ModelError[] = [];
        raise({ object: what, key: badKey, field: info ? 'metadata.name' : 'kind', reason: info ? 'Required value' : `unknown kind "${String(raw?.kind)}"`, ...(ev.origin ? { origin: ev.origin } : {}) }, errs);
        refusals.set(badKey, errs);
        raised.push(...errs);
        continue;
      }
      const ns = nsOf(raw);
      const key = objectKey(info.kind, ns, name);
      const old = table.get(info.kind, ns, name);
      const candidate = (type: ObservedEvent['type']) => candidates.push({ type, kind: info.kind, apiVersion: info.apiVersion, namespace: ns });

      if (ev.type === 'delete') {
        refusals.delete(key);
        origins.delete(key);
        if (!old) continue;
        candidate('deleted');
        table.delete(info.kind, ns, name);
        if (observed(info.kind, ns)) record(info.kind, key, old, undefined);
      } else {
        const errs = validateObject(raw, { existing: (k, n, nm) => table.get(k, n, nm), listExisting: (k, n) => table.sorted(k, n) });
        if (errs.length > 0) {
          candidate(old ? 'updated' : 'added');
          const list: ModelError[] = [];
          const object = describeObject(info.kind, ns || undefined, name);
          for (const e of errs) raise({ object, key, ...e, ...(ev.origin ? { origin: ev.origin } : {}) }, list);
          refusals.set(key, list);
          raised.push(...list);
          logger.warn('object refused', { object, errors: list.map((e) => `${e.field}: ${e.reason}`) });
          continue;
        }
        refusals.delete(key);
        if (ev.origin && !CORE_NO_ORIGIN.has(info.kind)) origins.set(key, ev.origin);
        const obj = trimObject(raw);
        if (ns !== '' && obj.metadata.namespace !== ns) obj.metadata.namespace = ns;
        if (old && deepEqual(old, obj)) continue;
        candidate(old ? 'updated' : 'added');
        table.set(obj, ns);
        if (observed(info.kind, ns)) record(info.kind, key, old, obj);
      }

      let scope: string | undefined;
      if (info.kind === 'Namespace') scope = name;
      else if (info.kind === 'Service') {
        const delta = (isRegistryService(table.get('Service', ns, name)) ? 1 : 0) - (isRegistryService(old) ? 1 : 0);
        if (delta !== 0) {
          const n = (registryServices.get(ns) ?? 0) + delta;
          if (n > 0) registryServices.set(ns, n);
          else registryServices.delete(ns);
          scope = ns;
        }
      }
      if (scope !== undefined) {
        const now = shouldMonitor(scope);
        if (now !== monitored.has(scope)) {
          if (now) monitored.add(scope);
          else monitored.delete(scope);
          namespacesChanged = true;
          setVisibility(scope, now);
        }
      }
    }

    const changes: ModelChange[] = [];
    for (const [key, p] of pending) {
      if (p.old === p.new || (!p.old && !p.new)) continue;
      changes.push({ kind: p.kind, key, ...(p.old ? { old: p.old } : {}), ...(p.new ? { new: p.new } : {}) });
    }
    if (changes.some((c) => c.kind === 'Pod') || namespacesChanged) proxyCache = undefined;
    if (namespacesChanged) namespaceCache = undefined;
    if (changes.some((c) => c.kind === MESH_CONFIG_KIND && isMeshConfig((c.new ?? c.old) as MeshObject))) recomputeMeshConfig();

    if (changes.length > 0) {
      for (const [key, errs] of crossCheck(view, changes, (k) => origins.get(k))) {
        const prev = diagnostics.get(key) ?? [];
        const same = prev.length === errs.length && prev.every((e, i) => e.reason === errs[i]?.reason && e.field === errs[i]?.field);
        if (errs.length === 0) diagnostics.delete(key);
        else if (!same) {
          const list: ModelError[] = [];
          for (const e of errs) raise(e, list);
          diagnostics.set(key, list);
          raised.push(...list);
        }
      }
    }

    return { changes, errors: raised, events: candidates.filter((e) => observed(e.kind, e.namespace)) };
  }

  const sortErrors = (a: ModelError, b: ModelError) => {
    const ka = `${a.origin?.file ?? ''}\u0000${String(a.origin?.line ?? 0).padStart(9, '0')}\u0000${a.object}\u0000${a.field}`;
    const kb = `${b.origin?.file ?? ''}\u0000${String(b.origin?.line ?? 0).padStart(9, '0')}\u0000${b.object}\u0000${b.field}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };

  const currentErrors = (): ModelError[] => {
    const out: ModelError[] = [];
    for (const l of sourceProblems.values()) out.push(...l);
    for (const l of refusals.values()) out.push(...l);
    for (const l of diagnostics.values()) out.push(...l);
    return out.sort(sortErrors);
  };

  return {
    ...view,
    get meshConfig() {
      return meshConfig;
    },
    apply,
    setSourceProblems(scopeName, problems) {
      if (problems.length === 0) {
        sourceProblems.delete(scopeName);
        return;
      }
      const list: ModelError[] = [];
      for (const p of problems) {
        raise(
          {
            object: p.object ?? '',
            field: p.field ?? '',
            reason: p.reason,
            ...(p.code ? { code: p.code } : {}),
            ...(p.origin ? { origin: p.origin } : {}),
            ...(p.severity === 'warning' ? { severity: 'warning' as const } : {}),
          },
          list,
        );
      }
      sourceProblems.set(scopeName, list);
    },
    errors: currentErrors,
    errorCounts: () => new Map(counts),
    sourcesSynced() {
      if (counting) return;
      counting = true;
      for (const e of currentErrors()) count(e);
    },
    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    count: (kind) => table.count(kind),
  };
}
