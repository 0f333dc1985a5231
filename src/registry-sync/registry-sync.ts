/**
 * Registration of mesh services into service registries (Consul, Eureka,
 * Nacos), as FSM's connectors do with syncFromK8S. It reads the model view
 * only; it is not a source. One worker per target (a `--source` value or a
 * connector with sync enabled):
 *
 * - on model changes (debounced) and every `syncInterval`, the desired
 *   registrations (registrations.ts) are compared with what the worker
 *   registered: missing or changed ones are registered, unwanted ones
 *   deregistered; for Consul, whose entries never expire, what an earlier
 *   run left on the node is found and removed too;
 * - registries with leases (Eureka, Nacos) are renewed every `heartbeat`,
 *   and an instance the registry forgot is registered again;
 * - a target removed deregisters everything it registered; the controller
 *   shutting down leaves registrations to expire (Eureka, Nacos) or to be
 *   cleaned by the next run (Consul), so a restart does not flap them.
 *
 * Registrations carry the mesh's cluster set as origin, so the registry
 * sources of this mesh never read them back. Failures are reported as
 * E8005 (scope `sync:<source name>`) and retried at the next round.
 */
import type { ModelView } from '../model/view.js';
import type { SourceProblem } from '../model/source-events.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import type { ConsulConfig } from '../sources/consul/config.js';
import type { EurekaConfig } from '../sources/eureka/config.js';
import type { NacosConfig } from '../sources/nacos/config.js';
import type { RegistrySyncConfig } from '../sources/catalog/options.js';
import { toRegistryError } from '../sources/catalog/registry-error.js';
import type { SourceSpec } from '../sources/scheme.js';
import { createConsulRegistrar } from './consul-registrar.js';
import { createEurekaRegistrar } from './eureka-registrar.js';
import { createNacosRegistrar } from './nacos-registrar.js';
import type { Registrar } from './registrar.js';
import { desiredRegistrations, type Registration } from './registrations.js';

export interface RegistrySyncOptions {
  readonly view: ModelView;
  /** Written into every registration as who registered it. */
  readonly registrant: string;
  readonly report: (scope: string, problems: readonly SourceProblem[]) => void;
  readonly logger?: Logger;
  /** Quiet time after a model change before registering; default 100 ms. */
  readonly debounceMs?: number;
}

export interface RegistrySyncStatus {
  readonly target: string;
  readonly registered: number;
  readonly error: string | null;
}

export interface RegistrySync {
  /** The targets now: specs whose config has `sync`; others are ignored. Workers are started, kept or stopped. */
  setTargets(specs: readonly SourceSpec[]): void;
  /** The model changed. */
  changed(): void;
  status(): readonly RegistrySyncStatus[];
  /** Resolves when no round is running or scheduled (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

type SyncedConfig = (ConsulConfig | EurekaConfig | NacosConfig) & { sync: RegistrySyncConfig };

function registrarFor(spec: SourceSpec, cfg: SyncedConfig): Registrar | undefined {
  if (spec.scheme === 'consul') return createConsulRegistrar(cfg as ConsulConfig);
  if (spec.scheme === 'eureka') return createEurekaRegistrar(cfg as EurekaConfig, cfg.sync.heartbeatMs);
  if (spec.scheme === 'nacos') return createNacosRegistrar(cfg as NacosConfig);
  return undefined;
}

interface Worker {
  readonly text: string;
  readonly name: string;
  readonly cfg: SyncedConfig;
  readonly registrar: Registrar;
  readonly abort: AbortController;
  /** What is registered now, by id, as registered. */
  readonly registered: Map<string, Registration>;
  readonly timers: NodeJS.Timeout[];
  running: Promise<void>;
  again: boolean;
  cleaned: boolean;
  error: string | null;
}

const same = (a: Registration, b: Registration) => JSON.stringify(a) === JSON.stringify(b);

export function createRegistrySync(o: RegistrySyncOptions): RegistrySync {
  const logger = o.logger ?? silentLogger;
  const workers = new Map<string, Worker>();
  let debounce: NodeJS.Timeout | undefined;
  let closed = false;

  function fail(w: Worker, err: unknown): void {
    const e = toRegistryError(err);
    const reason = `registering mesh services into ${w.name}: ${e.message}`;
    if (w.error !== reason) {
      logger.warn('registry sync failed; retrying at the next round', { target: w.name, error: e.message });
      o.report(`sync:${w.name}`, [{ object: w.name, reason, code: 'E8005' }]);
    }
    w.error = reason;
  }

  function ok(w: Worker): void {
    if (w.error === null) return;
    w.error = null;
    o.report(`sync:${w.name}`, []);
  }

  async function round(w: Worker): Promise<void> {
    const signal = w.abort.signal;
    const desired = new Map(desiredRegistrations(o.view, w.cfg.sync, { clusterSet: w.cfg.filters.clusterSet, registrant: o.registrant }).map((r) => [r.id, r]));
    try {
      if (!w.cleaned && w.registrar.listOwn) {
        // Left by an earlier run: adopt what is still wanted (re-registered below if different), drop the rest.
        for (const [id, r] of await w.registrar.listOwn(signal)) if (!w.registered.has(id)) w.registered.set(id, r);
      }
      w.cleaned = true;
      for (const [id, r] of desired) {
        const had = w.registered.get(id);
        if (had && same(had, r)) continue;
        await w.registrar.register(r, signal);
        w.registered.set(id, r);
      }
      for (const [id, r] of [...w.registered]) {
        if (desired.has(id)) continue;
        await w.registrar.deregister(r, signal);
        w.registered.delete(id);
      }
      ok(w);
    } catch (err) {
      if (!signal.aborted) fail(w, err);
    }
  }

  /** Runs a round now, or once more after the one in progress. */
  function schedule(w: Worker): void {
    if (closed || w.abort.signal.aborted) return;
    w.again = true;
    w.running = w.running.then(async () => {
      if (!w.again || w.abort.signal.aborted) return;
      w.again = false;
      await round(w);
    });
  }

  async function heartbeat(w: Worker): Promise<void> {
    const renew = w.registrar.renew;
    if (!renew) return;
    try {
      for (const r of [...w.registered.values()]) {
        if (!(await renew(r, w.abort.signal))) await w.registrar.register(r, w.abort.signal);
      }
      ok(w);
    } catch (err) {
      if (!w.abort.signal.aborted) fail(w, err);
    }
  }

  function start(spec: SourceSpec, cfg: SyncedConfig): Worker | undefined {
    const registrar = registrarFor(spec, cfg);
    if (!registrar) return undefined;
    const w: Worker = {
      text: spec.text,
      name: cfg.name,
      cfg,
      registrar,
      abort: new AbortController(),
      registered: new Map(),
      timers: [],
      running: Promise.resolve(),
      again: false,
      cleaned: false,
      error: null,
    };
    w.timers.push(setInterval(() => schedule(w), cfg.sync.intervalMs));
    if (registrar.renew) w.timers.push(setInterval(() => (w.running = w.running.then(() => heartbeat(w))), cfg.sync.heartbeatMs));
    schedule(w);
    logger.info('registering mesh services into a registry', { target: w.name });
    return w;
  }

  async function stop(w: Worker, deregister: boolean): Promise<void> {
    for (const t of w.timers) clearInterval(t);
    w.again = false;
    if (deregister) {
      await w.running;
      try {
        for (const r of [...w.registered.values()]) await w.registrar.deregister(r, w.abort.signal);
      } catch (err) {
        logger.warn('registry sync: deregistration on removal failed', { target: w.name, error: toRegistryError(err).message });
      }
      o.report(`sync:${w.name}`, []);
    }
    w.abort.abort();
    await w.running;
    w.registrar.close();
  }

  return {
    setTargets(specs) {
      if (closed) return;
      const next = new Map<string, SourceSpec>();
      for (const s of specs) if ((s.config as { sync?: unknown }).sync) next.set(s.text, s);
      for (const [text, w] of [...workers]) {
        if (next.has(text)) continue;
        workers.delete(text);
        void stop(w, true);
      }
      for (const [text, spec] of next) {
        if (workers.has(text)) continue;
        const w = start(spec, spec.config as SyncedConfig);
        if (w) workers.set(text, w);
      }
    },
    changed() {
      if (closed || workers.size === 0) return;
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(() => {
        debounce = undefined;
        for (const w of workers.values()) schedule(w);
      }, o.debounceMs ?? 100);
    },
    status: () => [...workers.values()].map((w) => ({ target: w.name, registered: w.registered.size, error: w.error })),
    async idle() {
      while (debounce || [...workers.values()].some((w) => w.again)) {
        await Promise.all([...workers.values()].map((w) => w.running));
        if (debounce) await new Promise((r) => setTimeout(r, 20));
      }
      await Promise.all([...workers.values()].map((w) => w.running));
    },
    async close() {
      closed = true;
      if (debounce) clearTimeout(debounce);
      await Promise.all([...workers.values()].map((w) => stop(w, false)));
      workers.clear();
    },
  };
}
