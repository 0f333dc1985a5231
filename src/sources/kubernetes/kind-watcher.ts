import type { Logger } from '../../shared/logger.js';
import type { MeshObject } from '../../model/types.js';
import type { SourceEvent, SourceProblem } from '../../model/source-events.js';
import { sleep, type Backoff, type Clock } from './backoff.js';
import { InactivityError, KubeApiError, type KubeHttpClient } from './kube-http.js';
import { collectionPath, kindId, type KubernetesKind } from './kinds.js';
import { trimObject } from './trim.js';

/**
 * Where a kind's loop is: `listing` (paged LIST in progress), `watching`
 * (WATCH open or being opened), `backoff` (waiting after an error),
 * `unavailable` (the API server does not serve the kind: CRD not installed;
 * retried slowly), `closed`.
 */
export type KindState = 'pending' | 'listing' | 'watching' | 'backoff' | 'unavailable' | 'closed';

/** A snapshot of one kind's loop, for status pages and tests. */
export interface KindStatus {
  readonly apiVersion: string;
  readonly kind: string;
  readonly state: KindState;
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

export interface KindWatcherOptions {
  readonly kind: KubernetesKind;
  readonly http: KubeHttpClient;
  readonly clock: Clock;
  readonly backoff: Backoff;
  readonly pageSize: number;
  readonly inactivityMs: number;
  /** Server-side `timeoutSeconds` for the next watch (called once per watch). */
  readonly watchTimeoutSeconds: () => number;
  readonly unavailableRetryMs: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Must not throw (the source wraps the user's handler). */
  readonly emit: (events: SourceEvent[]) => void;
  /** Problems of this kind; an empty list clears them. */
  readonly report: (problems: SourceProblem[]) => void;
  /** Called once: after the first complete list, or when the kind turns out unavailable. */
  readonly settled: () => void;
}

/** A list/watch loop for one kind; `run` returns only once `signal` aborts. */
export interface KindWatcher {
  run(): Promise<void>;
  status(): KindStatus;
}

/** A watch or list that failed this soon after it started is paced by the backoff. */
const MIN_HEALTHY_MS = 1000;

class WatchExpired extends Error {}

interface Known {
  readonly namespace: string | undefined;
  readonly name: string;
  readonly resourceVersion: string | undefined;
}

interface WatchLine {
  type?: unknown;
  object?: Record<string, unknown>;
}

export function createKindWatcher(o: KindWatcherOptions): KindWatcher {
  const id = kindId(o.kind);
  const path = collectionPath(o.kind);
  const selectors = { labelSelector: o.kind.labelSelector, fieldSelector: o.kind.fieldSelector };
  let known = new Map<string, Known>();
  let state: KindState = 'pending';
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
      o.report([]);
    }
  };

  const fail = (reason: string) => {
    error = reason;
    problemShown = true;
    o.report([{ reason: `${id}: ${reason}` }]);
  };

  const keyOf = (obj: MeshObject) => `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
  const stub = (k: Known): MeshObject => ({
    apiVersion: o.kind.apiVersion,
    kind: o.kind.kind,
    metadata: k.namespace === undefined ? { name: k.name } : { name: k.name, namespace: k.namespace },
  });
  const remember = (obj: MeshObject): Known => ({
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    resourceVersion: obj.metadata.resourceVersion,
  });

  /** Paged LIST; emits one batch: upserts of new or changed objects, deletes of vanished ones. */
  async function list(): Promise<void> {
    state = 'listing';
    const listed = new Map<string, MeshObject>();
    let next: string | undefined;
    let rv: string | undefined;
    do {
      const body = (await o.http.getJson(path, {
        query: { limit: o.pageSize, continue: next, ...selectors },
        signal: o.signal,
        inactivityMs: o.inactivityMs,
      })) as { metadata?: { resourceVersion?: string; continue?: string }; items?: unknown[] };
      for (const item of body.items ?? []) {
        if (!item || typeof item !== 'object') continue;
        const obj = trimObject(item as Record<string, unknown>, o.kind);
        listed.set(keyOf(obj), obj);
      }
      rv = body.metadata?.resourceVersion ?? rv;
      next = body.metadata?.continue || undefined;
    } while (next);
    if (o.signal.aborted) return;

    const events: SourceEvent[] = [];
    for (const [key, obj] of listed) {
      const prev = known.get(key);
      if (!prev || prev.resourceVersion !== obj.metadata.resourceVersion) events.push({ type: 'upsert', object: obj });
    }
    for (const [key, prev] of known) {
      if (!listed.has(key)) events.push({ type: 'delete', object: stub(prev) });
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
    await o.http.stream(path, {
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
        const events: SourceEvent[] = [];
        try {
          for (const line of lines) handleLine(JSON.parse(line) as WatchLine, events);
        } finally {
          // Events decoded before an ERROR or a bad line are still delivered.
          if (events.length > 0) o.emit(events);
        }
      },
    });
  }

  function handleLine(ev: WatchLine, events: SourceEvent[]): void {
    const raw = ev.object ?? {};
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED': {
        const obj = trimObject(raw, o.kind);
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
        o.logger.warn('kubernetes watch: unknown event type', { kind: id, type: String(ev.type) });
    }
  }

  /** The kind is not served: report, forget its objects (they cannot exist without their CRD), wait. */
  async function unavailable(err: KubeApiError): Promise<void> {
    if (!unavailableShown) {
      unavailableShown = true;
      o.logger.warn('kubernetes kind unavailable', { kind: id, error: err.message });
      fail(`not served by the API server (CRD not installed?): ${err.message}`);
      if (known.size > 0) {
        o.emit([...known.values()].map((k) => ({ type: 'delete' as const, object: stub(k) })));
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
          o.logger.info('kubernetes watch expired, relisting', { kind: id, resourceVersion });
          needList = true;
          if (quick()) await pause();
        } else if (err instanceof InactivityError) {
          // The timeout itself paces these retries; reconnect at once and catch up from resourceVersion.
          // A silent LIST blocks the sync, so it is a problem; a silent watch is routine (dropped NAT entry).
          o.logger.warn('kubernetes request silent, reconnecting', { kind: id, resourceVersion, listing: needList });
          if (needList) fail(err.message);
          else error = err.message;
        } else {
          const message = err instanceof Error ? err.message : String(err);
          o.logger.warn('kubernetes list/watch failed', { kind: id, error: message });
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
    status: () => ({
      apiVersion: o.kind.apiVersion,
      kind: o.kind.kind,
      state,
      synced,
      resourceVersion,
      lastEventTime,
      restarts,
      relists,
      error,
    }),
  };
}
