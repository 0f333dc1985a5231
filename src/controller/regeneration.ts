import type { SidecarConfigSet } from '../generate/sidecar/config-set.js';
import type { ModelChange, ModelView, ProxyInfo } from '../model/view.js';
import type { Metrics } from '../observability/metrics.js';
import type { Logger } from '../shared/logger.js';
import type { ControllerCertificates } from './certificates.js';
import type { ConvergenceTracker } from './convergence.js';
import type { Publisher } from './publisher.js';

/** What the coalescer hands over: model changes, plus proxies to regenerate regardless (certificate rotations). */
export interface RegenerationBatch {
  changes: readonly ModelChange[];
  proxies?: readonly string[];
}

export interface RegenerationDeps {
  view: ModelView;
  configs: SidecarConfigSet;
  certificates: Pick<ControllerCertificates, 'ensure'>;
  publisher: Publisher;
  /** Told which codebases changed after each step, so their Pipy instances get `reload` at once. */
  notifyChanged(codebases: string[]): void;
  convergence: Pick<ConvergenceTracker, 'expect' | 'forget'>;
  metrics: Metrics;
  logger: Logger;
  /**
   * Keeps the model view still (changes are queued) until the returned
   * function is called: the steps of one batch share a memo of the view.
   */
  holdModel(): () => void;
  /** Proxies generated and published between two yields to the event loop (default 250). */
  stepSize?: number;
}

/**
 * Regenerates the proxies a set of batches affects and publishes what
 * changed, in steps: after each step of `stepSize` proxies it publishes them,
 * tells the repo server, and yields to the event loop, so the first proxies'
 * responses go out while later ones are generated, and health checks, polls
 * and acknowledgements are answered during a mesh-wide regeneration. The
 * model is held still (`holdModel`) from the first step to the last.
 */
export type Regenerate = (batches: RegenerationBatch[], firstAt: number) => Promise<void>;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createRegeneration(deps: RegenerationDeps): Regenerate {
  const { view, configs, publisher, convergence, metrics, logger } = deps;
  const stepSize = deps.stepSize ?? 250;

  const proxiesOf = (uuids: Iterable<string>): ProxyInfo[] => {
    const out: ProxyInfo[] = [];
    for (const u of uuids) {
      const p = view.proxyByUuid(u);
      if (p) out.push(p);
    }
    return out;
  };

  /** Publishes one step's result; returns the codebase names that changed. */
  const publish = (changed: readonly string[], removed: readonly string[], firstAt: number): string[] => {
    const names: string[] = [];
    for (const uuid of changed) {
      const proxy = view.proxyByUuid(uuid);
      const cfg = configs.get(uuid);
      if (!proxy || !cfg) continue;
      names.push(...publisher.publish(proxy, cfg));
      convergence.expect(proxy, cfg.version, publisher.codebaseVersion(proxy) ?? '', firstAt);
    }
    for (const uuid of removed) {
      const name = publisher.remove(uuid);
      if (name) names.push(name);
      convergence.forget(uuid);
    }
    return names;
  };

  return async (batches, firstAt) => {
    const flushAt = Date.now();
    const affected = configs.affected(batches.flatMap((b) => b.changes));
    for (const b of batches) for (const u of b.proxies ?? []) affected.add(u);
    metrics.eventsQueued.add(-batches.length);
    metrics.proxyBroadcastEventCount.add(1);
    const ensureStarted = performance.now();
    await deps.certificates.ensure(proxiesOf(affected));
    const started = performance.now();
    const totals = { recomputed: 0, changed: 0, removed: 0, steps: 0, generateMs: 0, publishMs: 0 };
    const release = deps.holdModel();
    try {
      const batch = configs.begin(affected);
      for (;;) {
        const t0 = performance.now();
        const result = batch.step(stepSize);
        if (!result) break;
        const t1 = performance.now();
        deps.notifyChanged(publish(result.changed, result.removed, firstAt));
        totals.generateMs += t1 - t0;
        totals.publishMs += performance.now() - t1;
        totals.recomputed += result.recomputed;
        totals.changed += result.changed.length;
        totals.removed += result.removed.length;
        totals.steps++;
        await yieldToEventLoop();
      }
    } finally {
      release();
    }
    metrics.proxyRecomputeCount.add(totals.recomputed);
    if (totals.recomputed) metrics.proxyConfigUpdateTime.record(totals.generateMs / 1000 / totals.recomputed, { resource_type: 'pipy', success: 'true' });
    if (totals.changed || totals.removed) {
      logger.info('proxies updated', {
        recomputed: totals.recomputed,
        changed: totals.changed,
        removed: totals.removed,
        steps: totals.steps,
        queuedMs: flushAt - firstAt,
        certificatesMs: Math.round(started - ensureStarted),
        generateMs: Math.round(totals.generateMs),
        publishMs: Math.round(totals.publishMs),
        sinceFirstEventMs: Date.now() - firstAt,
      });
    }
  };
}
