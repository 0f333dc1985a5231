/**
 * What one registry source currently provides, and the events that keep the
 * model equal to it. Drivers (one per registry) hand over answers: a
 * complete set of services (`replaceAll`) or one service's complete
 * instance list (`setService`). The state filters, maps names, builds the
 * objects, and emits only what changed since the last answer.
 *
 * Failure is not emptiness: a failed request (`failed`) changes nothing in
 * the model; it marks the source stale (a problem with the error's code,
 * listed by /debug/errors and counted by fsm_error_err_code_count) until
 * the same channel succeeds again. Only a successful answer that no longer
 * lists a service removes it. An answer over `maxInstances` is refused
 * whole (E8002), like a failed one.
 */
import type { Logger } from '../../shared/logger.js';
import { isIP } from '../../model/schema/ip.js';
import type { SourceEvent, SourceProblem } from '../../model/source-events.js';
import { keyOf, type MeshObject, type ObjectKey } from '../../model/types.js';
import type { CatalogFilter } from './filters.js';
import type { CatalogInstance, RegistryProvider } from './instance.js';
import { assignNames, type NameAssignment } from './names.js';
import { serviceObjects } from './objects.js';
import { RegistryError } from './registry-error.js';

/** What drivers call. `replaceAll` and `setService` throw a RegistryError (E8002) when an answer is over the limit. */
export interface CatalogSink {
  /** A complete answer: exactly these services exist (each with its complete instance list). */
  replaceAll(services: ReadonlyMap<string, readonly CatalogInstance[]>): void;
  /** One service's complete instance list; an empty list removes the service. */
  setService(name: string, instances: readonly CatalogInstance[]): void;
  /** Several services' complete instance lists at once (one batch of events). */
  setServices(updates: ReadonlyMap<string, readonly CatalogInstance[]>): void;
  /** The service-name filter, so drivers can avoid watching services that are filtered out. */
  wants(serviceName: string): boolean;
  /** A request on `channel` failed: the source is stale until that channel succeeds. */
  failed(channel: string, error: RegistryError): void;
  /** A request on `channel` succeeded. */
  succeeded(channel: string): void;
  /** True once a complete answer was applied. */
  readonly synced: boolean;
}

export interface CatalogStatus {
  readonly provider: RegistryProvider;
  readonly namespace: string;
  readonly synced: boolean;
  /** Some request is failing: what the model holds is the last good answer. */
  readonly stale: boolean;
  readonly staleSince: string | null;
  readonly lastSuccess: string | null;
  readonly errors: readonly { channel: string; code: string; message: string; since: string }[];
  readonly services: number;
  /** Instances in the mesh (after health, filters and address checks). */
  readonly instances: number;
  /** Instances the registry answered (what maxInstances bounds). */
  readonly registryInstances: number;
  /** Registry names whose Kubernetes name differs: registry name → Kubernetes name. */
  readonly names: Readonly<Record<string, string>>;
}

export interface CatalogStateOptions {
  readonly provider: RegistryProvider;
  readonly sourceName: string;
  readonly namespace: string;
  readonly filter: CatalogFilter;
  readonly maxInstances: number;
  readonly emit: (events: SourceEvent[]) => void;
  readonly report: (problems: SourceProblem[]) => void;
  readonly now: () => number;
  readonly logger: Logger;
  /** Called once, when the first complete answer was applied. */
  readonly onSynced: () => void;
}

export interface CatalogState extends CatalogSink {
  status(): CatalogStatus;
}

interface Held {
  /** Instances the registry answered for the service. */
  readonly answered: number;
  /** Instances that enter the mesh. */
  readonly kept: readonly CatalogInstance[];
  /** Instances left out for a reason worth reporting (bad address or port). */
  readonly skipped: { readonly count: number; readonly example: string };
}

interface Emitted {
  readonly object: MeshObject;
  readonly text: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function createCatalogState(o: CatalogStateOptions): CatalogState {
  const held = new Map<string, Held>();
  let answeredTotal = 0;
  let assignment: NameAssignment = { names: new Map(), collisions: [] };
  /** Objects emitted per registry name, by object key. */
  const emitted = new Map<string, Map<ObjectKey, Emitted>>();
  const failures = new Map<string, { error: RegistryError; since: number }>();
  let lastSuccess: number | undefined;
  let synced = false;
  let reported = '[]';

  function prepare(name: string, instances: readonly CatalogInstance[]): Held {
    const kept: CatalogInstance[] = [];
    let skippedCount = 0;
    let example = '';
    for (const i of instances) {
      const badAddress = !isIP(i.address);
      const badPort = !Number.isInteger(i.port) || i.port < 1 || i.port > 65535;
      if (badAddress || badPort) {
        skippedCount++;
        example ||= badAddress ? `address "${i.address}" is not an IP address` : `port ${String(i.port)} is out of range`;
        continue;
      }
      if (o.filter.instance(i)) kept.push(i);
    }
    return { answered: instances.length, kept: o.filter.service(name) ? kept : [], skipped: { count: skippedCount, example } };
  }

  /** Rebuilds the objects of the given registry names (and of every name whose mapping moved) and emits the difference. */
  function apply(changed: Set<string>): void {
    // Names are assigned again only when the set of services with instances changed.
    if ([...changed].some((n) => ((held.get(n)?.kept.length ?? 0) > 0) !== assignment.names.has(n))) {
      const present = [...held].filter(([, h]) => h.kept.length > 0).map(([n]) => n);
      const next = assignNames(present);
      for (const [n, k] of next.names) if (assignment.names.get(n) !== k) changed.add(n);
      for (const n of assignment.names.keys()) if (!next.names.has(n)) changed.add(n);
      assignment = next;
    }

    const events: SourceEvent[] = [];
    for (const name of [...changed].sort()) {
      const before = emitted.get(name) ?? new Map<ObjectKey, Emitted>();
      const k8sName = assignment.names.get(name);
      const h = held.get(name);
      const objects = k8sName && h
        ? serviceObjects({ name: k8sName, namespace: o.namespace, registryName: name, provider: o.provider, sourceName: o.sourceName, instances: h.kept })
        : [];
      const after = new Map<ObjectKey, Emitted>();
      for (const object of objects) {
        const key = keyOf(object);
        const text = JSON.stringify(object);
        after.set(key, { object, text });
        if (before.get(key)?.text !== text) events.push({ type: 'upsert', object, origin: { source: o.sourceName } });
      }
      for (const [key, prev] of before) {
        if (!after.has(key)) events.push({ type: 'delete', object: prev.object, origin: { source: o.sourceName } });
      }
      if (after.size > 0) emitted.set(name, after);
      else emitted.delete(name);
    }
    // Another registry name may have taken over an object key in this batch (a collision resolved the other
    // way): its upsert must come after the delete of the previous holder.
    events.sort((a, b) => (a.type === b.type ? 0 : a.type === 'delete' ? -1 : 1));
    if (events.length > 0) o.emit(events);
    refreshProblems();
  }

  function refreshProblems(): void {
    const problems: SourceProblem[] = [];
    const origin = { source: o.sourceName };
    const services = emitted.size;
    for (const [channel, f] of [...failures].sort(([a], [b]) => (a < b ? -1 : 1))) {
      problems.push({
        origin,
        object: channel === 'main' ? o.sourceName : `${o.sourceName} ${channel}`,
        reason: `${f.error.message}; keeping the ${services} service(s) of the last good answer (stale since ${iso(f.since)})`,
        code: f.error.code,
      });
    }
    for (const group of assignment.collisions) {
      const kept = assignment.names.get(group[0] as string);
      problems.push({
        origin,
        object: `Service ${o.namespace}/${kept}`,
        reason: `registry services ${group.map((g) => `"${g}"`).join(', ')} map to one name: "${group[0]}" keeps it, ${group
          .slice(1)
          .map((g) => `"${g}" is named "${assignment.names.get(g)}"`)
          .join(', ')}`,
        code: 'E8004',
      });
    }
    for (const [name, h] of [...held].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (h.skipped.count === 0) continue;
      problems.push({ origin, object: `registry service "${name}"`, reason: `${h.skipped.count} instance(s) left out: ${h.skipped.example}`, code: 'E8003' });
    }
    const text = JSON.stringify(problems);
    if (text === reported) return;
    reported = text;
    o.report(problems);
  }

  function checkLimit(total: number): void {
    if (total > o.maxInstances) {
      throw new RegistryError('E8002', `the registry answered ${total} instances, more than maxInstances=${o.maxInstances}`);
    }
  }

  const state: CatalogState = {
    replaceAll(services) {
      let total = 0;
      for (const list of services.values()) total += list.length;
      checkLimit(total);
      const changed = new Set<string>();
      for (const name of held.keys()) if (!services.has(name)) changed.add(name);
      for (const name of changed) held.delete(name);
      for (const [name, list] of services) {
        held.set(name, prepare(name, list));
        changed.add(name);
      }
      answeredTotal = total;
      apply(changed);
      if (!synced) {
        synced = true;
        o.onSynced();
      }
    },
    setService(name, instances) {
      state.setServices(new Map([[name, instances]]));
    },
    setServices(updates) {
      let total = answeredTotal;
      for (const [name, instances] of updates) total += instances.length - (held.get(name)?.answered ?? 0);
      checkLimit(total);
      answeredTotal = total;
      for (const [name, instances] of updates) {
        if (instances.length === 0) held.delete(name);
        else held.set(name, prepare(name, instances));
      }
      apply(new Set(updates.keys()));
    },
    wants: (name) => o.filter.service(name),
    failed(channel, error) {
      const prev = failures.get(channel);
      if (prev && prev.error.message === error.message && prev.error.code === error.code) return;
      if (!prev) o.logger.warn('registry request failed; keeping the last good answer', { source: o.sourceName, channel, code: error.code, error: error.message });
      failures.set(channel, { error, since: prev?.since ?? o.now() });
      refreshProblems();
    },
    succeeded(channel) {
      lastSuccess = o.now();
      if (!failures.delete(channel)) return;
      o.logger.info('registry request recovered', { source: o.sourceName, channel });
      refreshProblems();
    },
    get synced() {
      return synced;
    },
    status() {
      let instances = 0;
      for (const name of emitted.keys()) instances += held.get(name)?.kept.length ?? 0;
      const since = [...failures.values()].reduce<number | undefined>((m, f) => (m === undefined || f.since < m ? f.since : m), undefined);
      const names: Record<string, string> = {};
      for (const [n, k] of [...assignment.names].sort(([a], [b]) => (a < b ? -1 : 1))) if (n !== k) names[n] = k;
      return {
        provider: o.provider,
        namespace: o.namespace,
        synced,
        stale: failures.size > 0,
        staleSince: since === undefined ? null : iso(since),
        lastSuccess: lastSuccess === undefined ? null : iso(lastSuccess),
        errors: [...failures].map(([channel, f]) => ({ channel, code: f.error.code, message: f.error.message, since: iso(f.since) })),
        services: emitted.size,
        instances,
        registryInstances: answeredTotal,
        names,
      };
    },
  };
  return state;
}
