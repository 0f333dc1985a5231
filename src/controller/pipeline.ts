import type { ModelStore } from '../model/store.js';
import type { SourceEvent } from '../model/source-events.js';
import type { ModelChange } from '../model/view.js';
import { apiEventType } from '../observability/api-event-type.js';
import type { Metrics } from '../observability/metrics.js';
import type { Logger } from '../shared/logger.js';
import { createCoalescer } from './coalescer.js';
import type { ConvergenceTracker } from './convergence.js';
import type { NodePublisher, NodeRef } from './node-publisher.js';
import { createRegeneration, type GeneratorEntry, type RegenerationBatch } from './regeneration.js';

export interface PipelineOptions {
  readonly store: ModelStore;
  readonly generators: readonly GeneratorEntry[];
  readonly publisher: NodePublisher;
  readonly convergence: ConvergenceTracker;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Coalescing: quiet window and longest wait (ms). */
  readonly quietMs: number;
  readonly maxDelayMs: number;
  /** Nodes generated and published between two yields to the event loop (default 250). */
  readonly stepSize?: number;
  /** Hears the changes of every applied batch, before they are queued (the controller's reactions to MeshConfig and roots). */
  readonly onApplied?: (changes: readonly ModelChange[]) => void;
}

/**
 * The controller's data path: source events → model → coalescing →
 * regeneration of the affected nodes of every generator → caches. Before
 * `synced()` events only fill the model (the first full generation covers
 * them); after it, changes go through the coalescer, and a change that adds a
 * node is generated at once. While a regeneration runs, arriving events wait
 * and are applied when it ends (they form the next batch), so the model stays
 * still under the generators' memos.
 */
export interface Pipeline {
  /** The sources' event handler. Never throws. */
  onEvents(events: readonly SourceEvent[]): void;
  /** Queues nodes for regeneration regardless of model changes (a rotated certificate). */
  regenerate(nodes: readonly NodeRef[]): void;
  /** The sources have synced: generates every node once and starts coalescing. */
  synced(): Promise<void>;
  /** Synced, and every node of every generator has an output. */
  isReady(): boolean;
  /** Stops coalescing; later events are dropped. Idempotent. */
  close(): void;
}

export function createPipeline(opts: PipelineOptions): Pipeline {
  const { store, metrics, logger } = opts;
  let synced = false;
  let closed = false;
  /** Source events that arrived while a regeneration held the model. */
  let held: (readonly SourceEvent[])[] | undefined;

  const regenerate = createRegeneration({
    generators: opts.generators,
    publisher: opts.publisher,
    convergence: opts.convergence,
    metrics,
    logger,
    ...(opts.stepSize !== undefined ? { stepSize: opts.stepSize } : {}),
    holdModel: () => {
      held = [];
      return () => {
        const pending = held ?? [];
        held = undefined;
        for (const events of pending) if (!closed) apply(events);
      };
    },
  });
  const coalescer = createCoalescer<RegenerationBatch>({
    quietMs: opts.quietMs,
    maxDelayMs: opts.maxDelayMs,
    flush: regenerate,
    onError: (err) => logger.error('regeneration failed', { error: err instanceof Error ? err.stack : String(err) }),
  });

  /** Whether the changes add a node some generator has no output for yet: it must not wait for the window. */
  const addsNode = (changes: readonly ModelChange[]): boolean =>
    opts.generators.some(({ set }) => {
      for (const key of set.generator.touched(store, changes).nodes) {
        if (!set.get(key) && set.generator.hasNode(store, key)) return true;
      }
      return false;
    });

  const apply = (events: readonly SourceEvent[]) => {
    const { changes, events: observed } = store.apply(events);
    for (const e of observed) metrics.k8sApiEventCount.add(1, { type: apiEventType(e.kind, e.apiVersion, e.type), namespace: e.namespace });
    if (!changes.length) return;
    opts.onApplied?.(changes);
    if (!synced) return;
    metrics.eventsQueued.add(1);
    coalescer.add({ changes });
    if (addsNode(changes)) void coalescer.flushNow();
  };

  return {
    onEvents(events) {
      if (closed) return;
      if (held) held.push(events);
      else apply(events);
    },
    regenerate(nodes) {
      if (closed || !nodes.length) return;
      metrics.eventsQueued.add(1);
      coalescer.add({ changes: [], nodes });
    },
    async synced() {
      if (closed) return;
      synced = true;
      metrics.eventsQueued.add(1);
      coalescer.add({ changes: [], nodes: opts.generators.flatMap(({ set }) => set.generator.nodes(store).map((key) => ({ generator: set.generator.name, key }))) });
      await coalescer.flushNow();
    },
    isReady: () =>
      synced && opts.generators.every(({ set }) => set.generator.nodes(store).every((key) => set.get(key) !== undefined)),
    close() {
      closed = true;
      coalescer.close();
    },
  };
}
