/**
 * The model store: accepted objects and the indexes generators need, with
 * namespace visibility (namespace-visibility.ts), the read side
 * (store-view.ts), the effective MeshConfig and the problems (error-book.ts)
 * composed here. Implements ModelView for generators.
 *
 * Contract: `apply` is the only mutator. A batch is applied atomically
 * (listeners see one change list per batch). An invalid object is refused:
 * its last good version stays, its error is listed by errors() until the
 * object is fixed or deleted. Returned objects are shared and must not be
 * mutated.
 */
import type { Logger } from '../shared/logger.js';
import { silentLogger } from '../shared/logger.js';
import { createErrorBook } from './error-book.js';
import { describeObject, type ModelError } from './errors.js';
import { createModelIndexes } from './indexes.js';
import { kindInfo, resolveKind } from './kinds/kind-list.js';
import { MESH_CONFIG_KIND, MESH_CONFIG_NAME, createMeshConfigView, effectiveMeshConfigSpec, type MeshConfigView } from './mesh-config.js';
import { createNamespaceVisibility } from './namespace-visibility.js';
import { createObjectTable, deepEqual } from './object-table.js';
import type { SourceEvent, SourceOrigin, SourceProblem } from './source-events.js';
import { createStoreView } from './store-view.js';
import { trimObject } from './trim.js';
import { objectKey, type MeshObject } from './types.js';
import type { ModelChange, ModelView } from './view.js';
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

/** Kinds whose origin (file and line) is not kept: many objects, never the subject of a problem line. */
const CORE_NO_ORIGIN = new Set(['Pod', 'EndpointSlice', 'Endpoints']);

/** One batch's net changes, and the index upkeep that goes with each. */
function createChangeRecorder(indexes: ReturnType<typeof createModelIndexes>) {
  const pending = new Map<string, { kind: string; old?: MeshObject; new?: MeshObject }>();
  return {
    record(kind: string, key: string, oldObj: MeshObject | undefined, newObj: MeshObject | undefined) {
      const p = pending.get(key);
      if (p) p.new = newObj;
      else pending.set(key, { kind, ...(oldObj ? { old: oldObj } : {}), ...(newObj ? { new: newObj } : {}) });
      if (oldObj && newObj && indexes.sameIndexKeys(oldObj, newObj)) return;
      if (oldObj) indexes.remove(oldObj);
      if (newObj) indexes.add(newObj);
    },
    changes(): ModelChange[] {
      const out: ModelChange[] = [];
      for (const [key, p] of pending) {
        if (p.old === p.new || (!p.old && !p.new)) continue;
        out.push({ kind: p.kind, key, ...(p.old ? { old: p.old } : {}), ...(p.new ? { new: p.new } : {}) });
      }
      return out;
    },
  };
}

export function createModelStore(options: ModelStoreOptions = {}): ModelStore {
  const fsmNamespace = options.fsmNamespace ?? 'fsm-system';
  const logger = options.logger ?? silentLogger;
  const table = createObjectTable();
  const indexes = createModelIndexes((kind, ns, name) => table.get(kind, ns, name));
  const visibility = createNamespaceVisibility({ meshName: options.meshName ?? 'fsm', fsmNamespace });
  const book = createErrorBook({ countAfterSync: options.countErrorsAfterSync ?? false });
  const origins = new Map<string, SourceOrigin>();
  let meshConfig: MeshConfigView = createMeshConfigView(effectiveMeshConfigSpec(undefined));
  const view = createStoreView({ table, indexes, visibility, meshConfig: () => meshConfig });

  const nsOf = (obj: Pick<MeshObject, 'kind' | 'metadata'>): string => (kindInfo(obj.kind)?.namespaced === false ? '' : obj.metadata.namespace || 'default');
  const isMeshConfig = (obj: MeshObject) => obj.kind === MESH_CONFIG_KIND && obj.metadata.name === MESH_CONFIG_NAME && nsOf(obj) === fsmNamespace;

  /** An event whose kind is unknown or whose name is missing: listed under a key of its own until deleted or fixed. */
  function refuseUnidentified(ev: SourceEvent, raw: MeshObject | undefined, known: boolean, raised: ModelError[]): void {
    const name = raw?.metadata?.name;
    const badKey = `?${String(raw?.kind)}/${String(raw?.metadata?.namespace ?? '')}/${String(name)}`;
    if (ev.type === 'delete') {
      book.setRefusal(badKey, undefined);
      return;
    }
    const what = raw && typeof raw === 'object' ? describeObject(String(raw.kind), raw.metadata?.namespace, String(name)) : 'object';
    const errs: ModelError[] = [];
    book.raise({ object: what, key: badKey, field: known ? 'metadata.name' : 'kind', reason: known ? 'Required value' : `unknown kind "${String(raw?.kind)}"`, ...(ev.origin ? { origin: ev.origin } : {}) }, errs);
    book.setRefusal(badKey, errs);
    raised.push(...errs);
  }

  function apply(events: readonly SourceEvent[]): ApplyResult {
    const recorder = createChangeRecorder(indexes);
    const raised: ModelError[] = [];
    const candidates: ObservedEvent[] = [];
    let namespacesChanged = false;

    /** A namespace entered or left the mesh: its objects enter or leave the view. */
    const setVisibility = (ns: string, visible: boolean) => {
      for (const kind of [...table.kinds()]) {
        if (kind === 'Namespace' || visibility.observedRegardless(kind, ns)) continue;
        for (const obj of table.sorted(kind, ns)) {
          const key = objectKey(kind, ns, obj.metadata.name);
          if (visible) recorder.record(kind, key, undefined, obj);
          else recorder.record(kind, key, obj, undefined);
        }
      }
    };

    for (const ev of events) {
      let raw = ev.object;
      const info = raw && typeof raw === 'object' ? resolveKind(String(raw.apiVersion), String(raw.kind)) : undefined;
      // A kind two API groups define is kept under its qualified model name (see KindInfo.kind).
      if (info && raw.kind !== info.kind) raw = { ...raw, kind: info.kind };
      const name = raw?.metadata?.name;
      if (!info || typeof name !== 'string' || name === '') {
        refuseUnidentified(ev, raw, info !== undefined, raised);
        continue;
      }
      const ns = nsOf(raw);
      const key = objectKey(info.kind, ns, name);
      const old = table.get(info.kind, ns, name);
      const candidate = (type: ObservedEvent['type']) => candidates.push({ type, kind: info.kind, apiVersion: info.apiVersion, namespace: ns });

      if (ev.type === 'delete') {
        book.setRefusal(key, undefined);
        origins.delete(key);
        if (!old) continue;
        candidate('deleted');
        table.delete(info.kind, ns, name);
        if (visibility.observed(info.kind, ns)) recorder.record(info.kind, key, old, undefined);
      } else {
        const errs = validateObject(raw, { existing: (k, n, nm) => table.get(k, n, nm), listExisting: (k, n) => table.sorted(k, n) });
        if (errs.length > 0) {
          candidate(old ? 'updated' : 'added');
          const list: ModelError[] = [];
          const object = describeObject(info.kind, ns || undefined, name);
          for (const e of errs) book.raise({ object, key, ...e, ...(ev.origin ? { origin: ev.origin } : {}) }, list);
          book.setRefusal(key, list);
          raised.push(...list);
          logger.warn('object refused', { object, errors: list.map((e) => `${e.field}: ${e.reason}`) });
          continue;
        }
        book.setRefusal(key, undefined);
        if (ev.origin && !CORE_NO_ORIGIN.has(info.kind)) origins.set(key, ev.origin);
        const obj = trimObject(raw);
        if (ns !== '' && obj.metadata.namespace !== ns) obj.metadata.namespace = ns;
        if (old && deepEqual(old, obj)) continue;
        candidate(old ? 'updated' : 'added');
        table.set(obj, ns);
        if (visibility.observed(info.kind, ns)) recorder.record(info.kind, key, old, obj);
      }

      const flipped = visibility.follow(info.kind, ns, name, old, table.get(info.kind, ns, name));
      if (flipped) {
        namespacesChanged = true;
        setVisibility(flipped.namespace, flipped.monitored);
      }
    }

    const changes = recorder.changes();
    if (changes.some((c) => c.kind === 'Pod') || namespacesChanged) view.invalidateProxies();
    if (changes.some((c) => c.kind === MESH_CONFIG_KIND && isMeshConfig((c.new ?? c.old) as MeshObject))) {
      const stored = table.get(MESH_CONFIG_KIND, fsmNamespace, MESH_CONFIG_NAME);
      meshConfig = createMeshConfigView(effectiveMeshConfigSpec(stored?.spec));
    }
    if (changes.length > 0) {
      for (const [key, errs] of crossCheck(view, changes, (k) => origins.get(k))) raised.push(...book.setDiagnostics(key, errs));
    }
    return { changes, errors: raised, events: candidates.filter((e) => visibility.observed(e.kind, e.namespace)) };
  }

  const { invalidateProxies: _internal, ...reads } = view;
  return {
    ...reads,
    get meshConfig() {
      return meshConfig;
    },
    apply,
    setSourceProblems: book.setSourceProblems,
    errors: book.errors,
    errorCounts: book.counts,
    sourcesSynced: book.synced,
    onError: book.onError,
    count: (kind) => table.count(kind),
  };
}
