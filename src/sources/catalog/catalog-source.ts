/**
 * The Source every registry scheme is: a driver speaking the registry's
 * protocol, run in a loop with backoff and jitter, feeding a catalog state
 * that turns answers into model events.
 *
 * `ready` resolves once the first complete answer was applied, or after
 * `syncTimeoutMs` if the registry has not answered by then (a registry that
 * is down at start must not hold back the whole mesh; its services join
 * when it answers, and the failure is listed as a problem meanwhile). It
 * rejects if the source is closed first (pre-handled).
 */
import { setMaxListeners } from 'node:events';
import type { Source, SourceEvent, SourceHandlers, SourceProblem } from '../../model/source-events.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { createBackoff, sleep, systemClock, type Clock } from '../../shared/backoff.js';
import { createCatalogFilter, type CatalogFilters } from './filters.js';
import { createCatalogState, type CatalogSink, type CatalogStatus } from './catalog-state.js';
import type { RegistryProvider } from './instance.js';
import { CATALOG_DEFAULTS, type CatalogConfig } from './options.js';
import { toRegistryError } from './registry-error.js';

/** One registry's protocol. */
export interface CatalogDriver {
  /**
   * Lists and watches until `signal` aborts, handing answers to the sink
   * and reporting per-channel success and failure. Throws when it cannot go
   * on; the source then reports the error (channel `main`), waits (backoff
   * with jitter) and calls `run` again. Returning normally also restarts it
   * (after a pause if it ran for less than a second).
   */
  run(sink: CatalogSink, signal: AbortSignal): Promise<void>;
  /** Releases sockets and sessions; called once, after the last run ended. */
  close?(): void | Promise<void>;
}

export interface CatalogSourceOptions {
  /** The source's name, e.g. `consul:http://127.0.0.1:8500`. */
  readonly name: string;
  readonly provider: RegistryProvider;
  /** The mesh namespace the services are placed in. */
  readonly namespace: string;
  readonly filters: CatalogFilters;
  readonly maxInstances: number;
  readonly syncTimeoutMs: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly driver: CatalogDriver;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly logger?: Logger;
}

export interface CatalogSource extends Source {
  status(): CatalogStatus;
}

/** What tests and benchmarks tune on a registry source; production uses the defaults. */
export interface RegistrySourceTuning {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Retry pacing; default 500 ms doubling to 30 s, with jitter. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** How long past its expected end a long poll or watch may stay silent before it is started again; default 10 s. */
  readonly silenceMs?: number;
}

export interface DriverTuning {
  readonly clock: Clock;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly logger: Logger;
  readonly silenceMs: number;
  readonly random?: () => number;
}

/** A catalog source for a parsed registry config and the driver made for it. */
export function createRegistrySource(
  provider: RegistryProvider,
  config: CatalogConfig & { readonly name: string },
  tuning: RegistrySourceTuning,
  driver: (t: DriverTuning) => CatalogDriver,
): CatalogSource {
  const clock = tuning.clock ?? systemClock;
  const backoff = tuning.backoff ?? CATALOG_DEFAULTS.backoff;
  const logger = tuning.logger ?? silentLogger;
  if (!config.read) return createIdleSource(config.name, provider, config.namespace);
  return createCatalogSource({
    name: config.name,
    provider,
    namespace: config.namespace,
    filters: config.filters,
    maxInstances: config.maxInstances,
    syncTimeoutMs: config.syncTimeoutMs,
    backoff,
    clock,
    logger,
    ...(tuning.random ? { random: tuning.random } : {}),
    driver: driver({ clock, backoff, logger, silenceMs: tuning.silenceMs ?? 10_000, ...(tuning.random ? { random: tuning.random } : {}) }),
  });
}

/** A driver run that ended this soon is paced by the backoff even without an error. */
const MIN_HEALTHY_MS = 1000;

export function createCatalogSource(o: CatalogSourceOptions): CatalogSource {
  const clock = o.clock ?? systemClock;
  const logger = o.logger ?? silentLogger;
  const backoff = createBackoff({ ...o.backoff, ...(o.random ? { random: o.random } : {}) });
  const controller = new AbortController();
  // Drivers make many requests at once on this signal (one per watched or listed service).
  setMaxListeners(0, controller.signal);
  let started = false;
  let closed = false;
  let loop: Promise<void> | undefined;
  let readyTimer: unknown;

  let resolveReady!: () => void;
  let rejectReady!: (err: Error) => void;
  let readyDone = false;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = () => {
      if (readyDone) return;
      readyDone = true;
      if (readyTimer !== undefined) clock.clearTimeout(readyTimer);
      resolve();
    };
    rejectReady = (err) => {
      if (readyDone) return;
      readyDone = true;
      if (readyTimer !== undefined) clock.clearTimeout(readyTimer);
      reject(err);
    };
  });
  ready.catch(() => undefined);

  let handlers: SourceHandlers | undefined;
  const state = createCatalogState({
    provider: o.provider,
    sourceName: o.name,
    namespace: o.namespace,
    filter: createCatalogFilter(o.filters),
    maxInstances: o.maxInstances,
    now: () => clock.now(),
    logger,
    onSynced: () => resolveReady(),
    emit: (events: SourceEvent[]) => {
      try {
        handlers?.onEvents(events);
      } catch (err) {
        logger.error('registry source: onEvents handler threw', { source: o.name, error: err instanceof Error ? err.message : String(err) });
      }
    },
    report: (problems: SourceProblem[]) => {
      try {
        handlers?.onProblems?.(o.name, problems);
      } catch (err) {
        logger.error('registry source: onProblems handler threw', { source: o.name, error: err instanceof Error ? err.message : String(err) });
      }
    },
  });

  // A sink whose successes also reset the source's backoff.
  const sink: CatalogSink = {
    replaceAll: (services) => state.replaceAll(services),
    setService: (name, instances) => state.setService(name, instances),
    setServices: (updates) => state.setServices(updates),
    wants: (name) => state.wants(name),
    failed: (channel, error) => state.failed(channel, error),
    succeeded(channel) {
      backoff.reset();
      state.succeeded(channel);
    },
    get synced() {
      return state.synced;
    },
  };

  async function run(): Promise<void> {
    const signal = controller.signal;
    while (!signal.aborted) {
      const startedAt = clock.now();
      try {
        await o.driver.run(sink, signal);
        if (signal.aborted) break;
        if (clock.now() - startedAt < MIN_HEALTHY_MS) await sleep(clock, backoff.next(), signal);
      } catch (err) {
        if (signal.aborted) break;
        const error = toRegistryError(err);
        state.failed('main', error);
        await sleep(clock, backoff.next(), signal);
      }
    }
  }

  return {
    name: o.name,
    ready,
    start(h) {
      if (started) throw new Error(`${o.name}: start() called twice`);
      started = true;
      if (closed) return;
      handlers = h;
      readyTimer = clock.setTimeout(() => {
        if (readyDone) return;
        logger.warn('registry source has not answered; going on without its services until it does', { source: o.name, afterMs: o.syncTimeoutMs });
        resolveReady();
      }, o.syncTimeoutMs);
      loop = run().catch((err: unknown) => {
        logger.error('registry source loop died', { source: o.name, error: err instanceof Error ? err.stack : String(err) });
      });
    },
    status: () => state.status(),
    async close() {
      if (closed) return;
      closed = true;
      controller.abort();
      rejectReady(new Error(`${o.name} closed before it was ready`));
      await loop;
      await o.driver.close?.();
    },
  };
}

/** A source with `read=false`: ready at once, never emits (its registry is only written to, by the sync). */
function createIdleSource(name: string, provider: RegistryProvider, namespace: string): CatalogSource {
  return {
    name,
    ready: Promise.resolve(),
    start() {},
    close: async () => undefined,
    status: () => ({
      provider, namespace, synced: true, stale: false, staleSince: null, lastSuccess: null, errors: [], services: 0, instances: 0, registryInstances: 0, names: {},
    }),
  };
}
