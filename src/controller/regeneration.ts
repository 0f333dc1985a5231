import type { GeneratedNode, NodeOutputs } from '../generate/generator.js';
import type { OutputBatch, OutputSet, StepResult } from '../generate/output-set.js';
import type { ModelChange } from '../model/view.js';
import type { Metrics } from '../observability/metrics.js';
import type { Logger } from '../shared/logger.js';
import type { ConvergenceTracker } from './convergence.js';
import type { NodePublisher, NodeRef } from './node-publisher.js';

/** What the coalescer hands over: model changes, plus nodes to regenerate regardless (certificate rotations). */
export interface RegenerationBatch {
  changes: readonly ModelChange[];
  nodes?: readonly NodeRef[];
}

/** One generator as the pipeline runs it. */
export interface GeneratorEntry {
  readonly set: OutputSet;
  /**
   * Asynchronous work before the given nodes are generated (issuing the
   * certificates they will read). Failures are the entry's to log; the
   * nodes are generated with what is available.
   */
  readonly prepare?: (keys: readonly string[]) => Promise<void>;
}

export interface RegenerationDeps {
  readonly generators: readonly GeneratorEntry[];
  readonly publisher: NodePublisher;
  readonly convergence: Pick<ConvergenceTracker, 'expect' | 'forget'>;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /**
   * Keeps the model still (source events are queued) until the returned
   * function is called: the steps of one batch share the generators' memos
   * of the view.
   */
  holdModel(): () => void;
  /** Nodes generated and published between two yields to the event loop (default 250). */
  readonly stepSize?: number;
}

/**
 * Regenerates the nodes a set of batches affects, for every generator, and
 * publishes what changed, in steps: after each step of `stepSize` nodes it
 * publishes them (the repo server sends `reload` as the codebase cache
 * changes; xDS watches fire) and yields to the event loop, so the first
 * nodes' responses go out while later ones are generated, and health checks,
 * polls and acknowledgements are answered during a mesh-wide regeneration.
 * The model is held still from the first step to the last.
 */
export type Regenerate = (batches: RegenerationBatch[], firstAt: number) => Promise<void>;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

type Failure = StepResult['failed'][number];

/**
 * `batch.step(max)`, one node per call so that each node's generation is
 * timed: `onNode` hears every node generated, and its failure if it failed.
 */
function timedStep(batch: OutputBatch, max: number, onNode: (seconds: number, failure: Failure | undefined) => void): StepResult | undefined {
  let merged: { changed: string[]; removed: string[]; recomputed: number; failed: Failure[] } | undefined;
  while (!merged || merged.recomputed < max) {
    const t0 = performance.now();
    const one = batch.step(1);
    if (!one) break;
    const seconds = (performance.now() - t0) / 1000;
    merged ??= { changed: [], removed: [], recomputed: 0, failed: [] };
    merged.changed.push(...one.changed);
    merged.removed.push(...one.removed);
    merged.failed.push(...one.failed);
    merged.recomputed += one.recomputed;
    if (one.recomputed) onNode(seconds, one.failed[0]);
  }
  return merged;
}

export function createRegeneration(deps: RegenerationDeps): Regenerate {
  const { publisher, convergence, metrics, logger } = deps;
  const stepSize = deps.stepSize ?? 250;
  for (const { set } of deps.generators) {
    for (const success of ['true', 'false']) metrics.proxyConfigUpdateTime.init({ resource_type: set.generator.name, success });
  }

  return async (batches, firstAt) => {
    const flushAt = Date.now();
    const changes = batches.flatMap((b) => b.changes);
    const work = deps.generators.map((entry) => {
      const name = entry.set.generator.name;
      const affected = entry.set.affected(changes);
      for (const b of batches) for (const n of b.nodes ?? []) if (n.generator === name) affected.add(n.key);
      return { entry, name, affected: [...affected] };
    });
    metrics.eventsQueued.add(-batches.length);
    metrics.proxyBroadcastEventCount.add(1);
    const prepareStarted = performance.now();
    await Promise.all(work.map((w) => (w.affected.length && w.entry.prepare ? w.entry.prepare(w.affected) : undefined)));
    const started = performance.now();
    const release = deps.holdModel();
    try {
      for (const { entry, name, affected } of work) {
        if (!affected.length) continue;
        const totals = { recomputed: 0, changed: 0, removed: 0, failed: 0, steps: 0, generateMs: 0, publishMs: 0 };
        const batch = entry.set.begin(affected);
        for (;;) {
          const t0 = performance.now();
          const result = timedStep(batch, stepSize, (seconds, failure) => {
            metrics.proxyConfigUpdateTime.record(seconds, { resource_type: name, success: failure ? 'false' : 'true' });
            if (!failure) return;
            totals.failed++;
            const { key, error } = failure;
            logger.error('proxy config generation failed; the proxy keeps its last config', { generator: name, node: key, error: error instanceof Error ? error.stack : String(error) });
          });
          if (!result) break;
          const t1 = performance.now();
          const built: { key: string; node: GeneratedNode; outputs: NodeOutputs }[] = [];
          for (const key of result.changed) {
            const node = entry.set.get(key);
            if (!node) continue;
            try {
              built.push({ key, node, outputs: node.outputs() });
            } catch (error) {
              // Contained like a generation failure: this node keeps what it was last served, the others go on.
              totals.failed++;
              logger.error('proxy config output failed; the proxy keeps its last config', { generator: name, node: key, error: error instanceof Error ? error.stack : String(error) });
            }
          }
          publisher.publish(
            name,
            built.map(({ key, outputs }) => ({ key, outputs })),
            result.removed,
          );
          for (const { key, node } of built) {
            const published = publisher.published({ generator: name, key });
            if (published) convergence.expect({ generator: name, key }, node.version, published, firstAt);
          }
          for (const key of result.removed) convergence.forget({ generator: name, key });
          totals.generateMs += t1 - t0;
          totals.publishMs += performance.now() - t1;
          totals.recomputed += result.recomputed;
          totals.changed += result.changed.length;
          totals.removed += result.removed.length;
          totals.steps++;
          await yieldToEventLoop();
        }
        metrics.proxyRecomputeCount.add(totals.recomputed);
        if (totals.changed || totals.removed || totals.failed) {
          logger.info('proxies updated', {
            generator: name,
            recomputed: totals.recomputed,
            changed: totals.changed,
            removed: totals.removed,
            failed: totals.failed,
            steps: totals.steps,
            queuedMs: flushAt - firstAt,
            certificatesMs: Math.round(started - prepareStarted),
            generateMs: Math.round(totals.generateMs),
            publishMs: Math.round(totals.publishMs),
            sinceFirstEventMs: Date.now() - firstAt,
          });
        }
      }
    } finally {
      release();
    }
  };
}
