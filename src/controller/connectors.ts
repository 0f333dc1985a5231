/**
 * FSM connector objects (ConsulConnector, EurekaConnector, NacosConnector,
 * ZookeeperConnector), from whatever source brought them, start, reconfigure
 * and stop registry sources at run time. Each connector becomes a
 * `--source` value (connector-specs.ts) parsed by the source registry.
 *
 * - A new connector starts its source; what the source emits goes through
 *   the given handlers, as for any source.
 * - A changed connector starts the new source first; once the new one is
 *   ready (synced, or past its sync timeout) the old one stops and the
 *   objects only the old one provided are deleted: a reconfiguration never
 *   empties the mesh in between.
 * - A deleted connector stops its source and deletes every object it
 *   brought (FSM's cleanup of what the connector created).
 * - A connector that cannot become a source (bad address, bad option) is
 *   reported (E8006, scope `connector:<Kind> <ns>/<name>`) and the source it
 *   described before keeps running.
 *
 * Work is queued and done one step at a time outside the store's change
 * notification, since stopping a source applies events to the store.
 */
import type { Source, SourceEvent, SourceHandlers } from '../model/source-events.js';
import { keyOf, type MeshObject, type ObjectKey } from '../model/types.js';
import type { ModelChange, ModelView } from '../model/view.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import type { SourceRegistry } from '../sources/registry.js';
import type { SourceContext, SourceSpec } from '../sources/scheme.js';
import { CONNECTOR_SCHEMES, connectorSourceText, meshClusterSet } from './connector-specs.js';

export interface ConnectorManagerOptions {
  readonly registry: SourceRegistry;
  readonly context: SourceContext;
  readonly view: ModelView;
  /** Where the connectors' sources send events and problems (the controller's own handlers). */
  readonly handlers: SourceHandlers;
  /** Called with the specs of every running connector whenever they change (registration into registries). */
  readonly onSpecs?: (specs: readonly SourceSpec[]) => void;
  readonly logger?: Logger;
}

export interface ConnectorStatus {
  readonly connector: string;
  readonly source: string | null;
  readonly error: string | null;
}

export interface ConnectorManager {
  /** Reacts to the connector objects among a batch of model changes. */
  apply(changes: readonly ModelChange[]): void;
  /** The sources running for connectors now. */
  sources(): readonly Source[];
  status(): readonly ConnectorStatus[];
  /** Resolves once everything queued so far is done (tests). */
  settled(): Promise<void>;
  /** Stops every connector source (without deleting what they brought: the controller is going away). */
  close(): Promise<void>;
}

interface Running {
  readonly text: string;
  readonly spec: SourceSpec;
  readonly source: Source;
  /** Objects it emitted and did not delete, by key (for cleanup). */
  readonly owned: Map<ObjectKey, MeshObject>;
  /** Set when a successor took over: its events are no longer forwarded. */
  retired: boolean;
}

export function createConnectorManager(o: ConnectorManagerOptions): ConnectorManager {
  const logger = o.logger ?? silentLogger;
  const running = new Map<string, Running>();
  const errors = new Map<string, string>();
  let chain: Promise<void> = Promise.resolve();
  let closed = false;

  const scopeOf = (key: string) => `connector:${key}`;
  const describe = (obj: MeshObject) => `${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;

  const enqueue = (step: () => Promise<void>) => {
    chain = chain.then(() => (closed ? undefined : step())).catch((err: unknown) => {
      logger.error('connector step failed', { error: err instanceof Error ? err.stack : String(err) });
    });
  };

  const publishSpecs = () => o.onSpecs?.([...running.values()].map((r) => r.spec));

  function startSource(spec: SourceSpec, text: string): Running {
    const source = o.registry.create(spec, o.context);
    const entry: Running = { text, spec, source, owned: new Map(), retired: false };
    source.start({
      onEvents(events: readonly SourceEvent[]) {
        for (const e of events) {
          const key = keyOf(e.object);
          if (e.type === 'upsert') entry.owned.set(key, e.object);
          else entry.owned.delete(key);
        }
        if (!entry.retired && !closed) o.handlers.onEvents(events);
      },
      onProblems(scope, problems) {
        if (!entry.retired && !closed) o.handlers.onProblems?.(scope, problems);
      },
    });
    return entry;
  }

  /** Stops `old`; deletes what it owned that `keep` does not; clears its problems unless `keep` reports under the same name. */
  async function retire(old: Running, keep: Running | undefined): Promise<void> {
    old.retired = true;
    await old.source.close();
    const gone: SourceEvent[] = [];
    for (const [key, object] of old.owned) if (!keep?.owned.has(key)) gone.push({ type: 'delete', object, origin: { source: old.source.name } });
    if (gone.length > 0) o.handlers.onEvents(gone);
    if (keep?.source.name !== old.source.name) o.handlers.onProblems?.(old.source.name, []);
  }

  function setError(key: string, obj: MeshObject, reason: string | undefined): void {
    if (reason === undefined) {
      if (errors.delete(key)) o.handlers.onProblems?.(scopeOf(key), []);
      return;
    }
    errors.set(key, reason);
    o.handlers.onProblems?.(scopeOf(key), [{ object: describe(obj), field: 'spec', reason, code: 'E8006' }]);
    logger.warn('connector not applied', { connector: key, reason });
  }

  async function reconcile(key: string, obj: MeshObject): Promise<void> {
    let text: string;
    let spec: SourceSpec;
    try {
      text = connectorSourceText(obj, meshClusterSet(o.view.meshConfig.spec.clusterSet));
      spec = o.registry.parse(text);
    } catch (err) {
      setError(key, obj, err instanceof Error ? err.message : String(err));
      return;
    }
    setError(key, obj, undefined);
    const current = running.get(key);
    if (current?.text === text) return;
    const next = startSource(spec, text);
    running.set(key, next);
    publishSpecs();
    logger.info(current ? 'connector reconfigured' : 'connector started', { connector: key, source: next.source.name });
    if (!current) return;
    // The old source keeps serving until the new one has its first answer (or gave up waiting for it).
    await next.source.ready.catch(() => undefined);
    await retire(current, next);
  }

  async function remove(key: string): Promise<void> {
    const current = running.get(key);
    if (errors.delete(key)) o.handlers.onProblems?.(scopeOf(key), []);
    if (!current) return;
    running.delete(key);
    publishSpecs();
    logger.info('connector stopped', { connector: key, source: current.source.name });
    await retire(current, undefined);
  }

  return {
    apply(changes) {
      for (const c of changes) {
        if (!CONNECTOR_SCHEMES[c.kind]) continue;
        const obj = (c.new ?? c.old) as MeshObject;
        const key = `${c.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
        if (c.new) {
          const latest = c.new;
          enqueue(() => reconcile(key, latest));
        } else enqueue(() => remove(key));
      }
    },
    sources: () => [...running.values()].map((r) => r.source),
    status: () => {
      const keys = new Set([...running.keys(), ...errors.keys()]);
      return [...keys].sort().map((k) => ({ connector: k, source: running.get(k)?.source.name ?? null, error: errors.get(k) ?? null }));
    },
    settled: () => chain,
    async close() {
      closed = true;
      await chain;
      await Promise.all([...running.values()].map((r) => r.source.close()));
      running.clear();
    },
  };
}
