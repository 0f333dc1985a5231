/**
 * The list/watch loop for one collection: a paged LIST, then WATCH from its
 * resourceVersion with bookmarks, reconnecting from the last resourceVersion
 * seen, relisting on 410 Gone, an inactivity timeout on every request, and
 * backoff with jitter. client-go's reflector does the same; client-node's
 * informer is known to stall silently, hence this loop.
 *
 * Used by the Kubernetes source (every kind the mesh reads) and by anything
 * that must follow a few objects (the workload certificate Secrets).
 */
import type { Logger } from '../shared/logger.js';
import { sleep, type Backoff, type Clock } from '../shared/backoff.js';
import { InactivityError, KubeApiError, errorMessage } from './errors.js';
import type { KubeClient } from './kube-client.js';

/**
 * Where a loop is: `listing` (paged LIST in progress), `watching` (WATCH open
 * or being opened), `backoff` (waiting after an error), `unavailable` (the
 * API server does not serve the type: CRD not installed; retried slowly),
 * `closed`.
 */
export type ListWatchState = 'pending' | 'listing' | 'watching' | 'backoff' | 'unavailable' | 'closed';

/** A snapshot of one loop, for status pages and tests. */
export interface ListWatchStatus {
  readonly state: ListWatchState;
  /** True once a first complete list was emitted. */
  readonly synced: boolean;
  /** The last resourceVersion seen (list, event or bookmark); the next watch starts there. */
  readonly resourceVersion: string | undefined;
  /** Clock time (ms) of the last list completion or watch event, bookmarks included. */
  readonly lastEventTime: number | undefined;
  /** How many times the loop had to start a request again (errors, inactivity, 410, server-side close). */
  readonly restarts: number;
  /** How many full relists followed the first list (410 Gone, recovery from unavailable). */
  readonly relists: number;
  /** The last error, cleared by the next success. */
  readonly error: string | undefined;
}

/** An object as the loop needs it: a name, a namespace, a resourceVersion. */
export interface WatchedObject {
  readonly metadata: { readonly name: string; readonly namespace?: string | undefined; readonly resourceVersion?: string | undefined };
}

/** What is remembered of an object between lists, to build delete stubs. */
export interface KnownObject {
  readonly namespace: string | undefined;
  readonly name: string;
  readonly resourceVersion: string | undefined;
}

export type ListWatchEvent<T> = { readonly type: 'upsert'; readonly object: T } | { readonly type: 'delete'; readonly object: T };

export interface ListWatchOptions<T extends WatchedObject> {
  /** For logs and problems, e.g. `v1/Pod`. */
  readonly id: string;
  /** The collection path, e.g. `/api/v1/pods`. */
  readonly path: string;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly backoff: Backoff;
  readonly pageSize: number;
  readonly inactivityMs: number;
  /** Server-side `timeoutSeconds` for the next watch (called once per watch). */
  readonly watchTimeoutSeconds: () => number;
  readonly unavailableRetryMs: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** The object as the caller keeps it (list items of built-in types come without apiVersion/kind). */
  readonly decode: (raw: Record<string, unknown>) => T;
  /** A delete event's object for something that vanished between two lists. */
  readonly stub: (known: KnownObject) => T;
  /** Must not throw (the caller wraps its handler). */
  readonly emit: (events: ListWatchEvent<T>[]) => void;
  /** The loop's current problem; undefined clears it. */
  readonly report: (problem: string | undefined) => void;
  /** Called once: after the first complete list, or when the type turns out unavailable. */
  readonly settled: () => void;
}

/** One loop; `run` returns only once `signal` aborts. */
export interface ListWatch {
  run(): Promise<void>;
  status(): ListWatchStatus;
}

/** A watch or list that failed this soon after it started is paced by the backoff. */
const MIN_HEALTHY_MS = 1000;

class WatchExpired extends Error {}

interface WatchLine {
  type?: unknown;
  object?: Record<string, unknown>;
}

export function createListWatch<T extends WatchedObject>(o: ListWatchOptions<T>): ListWatch {
  const selectors = { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector };
  let known = new Map<string, KnownObject>();
  let state: ListWatchState = 'pending';
  let synced = false;
  let settledOnce = false;
  let resourceVersion: string | undefined;
  let lastEventTime: number | undefined;
  let restarts = 0;
  let relists = 0;
  let error: string | undefined;
  let problemShown = false;
  let unavailableShown = false;

  const settle = () => {
    if (settledOnce) return;
    settledOnce = true;
    o.settled();
  };

  const healthy = () => {
    o.backoff.reset();
    error = undefined;
    unavailableShown = false;
    if (problemShown) {
      problemShown = false;
      o.report(undefined);
    }
  };

  const fail = (reason: string) => {
    error = reason;
    problemShown = true;
    o.report(reason);
  };

  const keyOf = (obj: T) => `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
  const remember = (obj: T): KnownObject => ({
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    resourceVersion: obj.metadata.resourceVersion,
  });

  /** Paged LIST; emits one batch: upserts of new or changed objects, deletes of vanished ones. */
  async function list(): Promise<void> {
    state = 'listing';
    const listed = new Map<string, T>();
    let next: string | undefined;
    let rv: string | undefined;
    do {
      const body = await o.client.get<{ metadata?: { resourceVersion?: string; continue?: string }; items?: unknown[] }>(o.path, {
        query: { limit: o.pageSize, continue: next, ...selectors },
        signal: o.signal,
        inactivityMs: o.inactivityMs,
      });
      for (const item of body?.items ?? []) {
        if (!item || typeof item !== 'object') continue;
        const obj = o.decode(item as Record<string, unknown>);
        listed.set(keyOf(obj), obj);
      }
      rv = body?.metadata?.resourceVersion ?? rv;
      next = body?.metadata?.continue || undefined;
    } while (next);
    if (o.signal.aborted) return;

    const events: ListWatchEvent<T>[] = [];
    for (const [key, obj] of listed) {
      const prev = known.get(key);
      if (!prev || prev.resourceVersion !== obj.metadata.resourceVersion) events.push({ type: 'upsert', object: obj });
    }
    for (const [key, prev] of known) {
      if (!listed.has(key)) events.push({ type: 'delete', object: o.stub(prev) });
    }
    known = new Map([...listed].map(([key, obj]) => [key, remember(obj)]));
    if (synced) relists++;
    resourceVersion = rv;
    lastEventTime = o.clock.now();
    if (events.length > 0) o.emit(events);
    synced = true;
    healthy();
    settle();
  }

  /** One WATCH from `resourceVersion`; resolves when the server ends it, rejects on errors and 410. */
  async function watch(): Promise<void> {
    state = 'watching';
    let first = true;
    await o.client.watch(o.path, {
      query: {
        watch: true,
        resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: o.watchTimeoutSeconds(),
        ...selectors,
      },
      signal: o.signal,
      inactivityMs: o.inactivityMs,
      onLines: (lines) => {
        lastEventTime = o.clock.now();
        if (first) {
          first = false;
          healthy();
        }
        const events: ListWatchEvent<T>[] = [];
        try {
          for (const line of lines) handleLine(JSON.parse(line) as WatchLine, events);
        } finally {
          // Events decoded before an ERROR or a bad line are still delivered.
          if (events.length > 0) o.emit(events);
        }
      },
    });
  }

  function handleLine(ev: WatchLine, events: ListWatchEvent<T>[]): void {
    const raw = ev.object ?? {};
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED': {
        const obj = o.decode(raw);
        const key = keyOf(obj);
        if (ev.type === 'DELETED') {
          known.delete(key);
          events.push({ type: 'delete', object: obj });
        } else {
          known.set(key, remember(obj));
          events.push({ type: 'upsert', object: obj });
        }
        resourceVersion = obj.metadata.resourceVersion ?? resourceVersion;
        return;
      }
      case 'BOOKMARK': {
        const rv = (raw['metadata'] as { resourceVersion?: unknown } | undefined)?.resourceVersion;
        if (typeof rv === 'string' && rv !== '') resourceVersion = rv;
        return;
      }
      case 'ERROR': {
        const code = typeof raw['code'] === 'number' ? raw['code'] : 500;
        const message = typeof raw['message'] === 'string' ? raw['message'] : 'watch error';
        if (code === 410) throw new WatchExpired(message);
        throw new KubeApiError(code, message, typeof raw['reason'] === 'string' ? raw['reason'] : undefined);
      }
      default:
        o.logger.warn('kubernetes watch: unknown event type', { kind: o.id, type: String(ev.type) });
    }
  }

  /** The type is not served: report, forget its objects (they cannot exist without their CRD), wait. */
  async function unavailable(err: KubeApiError): Promise<void> {
    if (!unavailableShown) {
      unavailableShown = true;
      o.logger.warn('kubernetes kind unavailable', { kind: o.id, error: err.message });
      fail(`not served by the API server (CRD not installed?): ${err.message}`);
      if (known.size > 0) {
        o.emit([...known.values()].map((k) => ({ type: 'delete' as const, object: o.stub(k) })));
        known = new Map();
      }
    }
    state = 'unavailable';
    settle();
    await sleep(o.clock, o.unavailableRetryMs, o.signal);
  }

  async function run(): Promise<void> {
    let needList = true;
    while (!o.signal.aborted) {
      const startedAt = o.clock.now();
      const quick = () => o.clock.now() - startedAt < MIN_HEALTHY_MS;
      try {
        if (needList) {
          await list();
          needList = false;
        }
        if (o.signal.aborted) break;
        await watch();
        restarts++;
        if (quick()) await pause();
      } catch (err) {
        if (o.signal.aborted) break;
        restarts++;
        if (err instanceof KubeApiError && err.status === 404) {
          needList = true;
          await unavailable(err);
        } else if (err instanceof WatchExpired || (err instanceof KubeApiError && err.status === 410)) {
          o.logger.info('kubernetes watch expired, relisting', { kind: o.id, resourceVersion });
          needList = true;
          if (quick()) await pause();
        } else if (err instanceof InactivityError) {
          // The timeout itself paces these retries; reconnect at once and catch up from resourceVersion.
          // A silent LIST blocks the sync, so it is a problem; a silent watch is routine (dropped NAT entry).
          o.logger.warn('kubernetes request silent, reconnecting', { kind: o.id, resourceVersion, listing: needList });
          if (needList) fail(err.message);
          else error = err.message;
        } else {
          const message = errorMessage(err);
          o.logger.warn('kubernetes list/watch failed', { kind: o.id, error: message });
          fail(message);
          await pause();
        }
      }
    }
    state = 'closed';
  }

  const pause = () => {
    state = 'backoff';
    return sleep(o.clock, o.backoff.next(), o.signal);
  };

  return {
    run,
    status: () => ({ state, synced, resourceVersion, lastEventTime, restarts, relists, error }),
  };
}
