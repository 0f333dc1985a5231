import t, { type Test } from 'tap';
import { createLinearCache } from '../../cache/linear-cache.js';
import { createSnapshotCache } from '../../cache/snapshot-cache.js';
import { TypeUrl } from '../../cache/types.js';
import { createConvergenceTracker } from '../../src/controller/convergence.js';
import { createNodePublisher } from '../../src/controller/node-publisher.js';
import { createPipeline } from '../../src/controller/pipeline.js';
import { createSidecarConfigSet } from '../../src/generate/sidecar/index.js';
import type { Pod } from '../../src/model/types.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { silentLogger } from '../../src/shared/logger.js';
import { fixture, meshConfig } from '../generate/sidecar/fixtures/helpers.js';
import { createModelStore } from '../../src/model/store.js';
import { waitFor } from '../support/wait-for.js';

function setup(t: Test, quietMs = 60_000, stepSize?: number) {
  const store = createModelStore();
  const set = createSidecarConfigSet({ view: store });
  const metrics = createMetrics();
  t.teardown(() => metrics.close());
  const codebases = createLinearCache(TypeUrl.PipyCodebase);
  const publisher = createNodePublisher({ snapshots: createSnapshotCache(), codebases });
  const applied: number[] = [];
  const pipeline = createPipeline({
    store,
    generators: [{ set }],
    publisher,
    convergence: createConvergenceTracker({ metrics }),
    metrics,
    logger: silentLogger,
    quietMs,
    maxDelayMs: quietMs,
    onApplied: (changes) => void applied.push(changes.length),
    ...(stepSize ? { stepSize } : {}),
  });
  t.teardown(() => pipeline.close());
  return { store, set, pipeline, applied, publisher };
}

const upserts = (objects: readonly unknown[]) => objects.map((object) => ({ type: 'upsert' as const, object: object as Pod }));

t.test('before the sync events only fill the model; synced() generates every node once', async (t) => {
  const s = setup(t);
  s.pipeline.onEvents(upserts([...fixture('mesh.yaml'), meshConfig({})]));
  t.ok(s.applied[0], 'the changes were applied and heard');
  t.same(s.set.keys(), [], 'nothing generated before the sync');
  t.notOk(s.pipeline.isReady());
  await s.pipeline.synced();
  t.same(s.set.keys(), s.store.proxies().map((p) => p.uuid), 'every proxy generated');
  t.ok(s.pipeline.isReady());
});

t.test('a change that adds a node is generated at once, without waiting for the window', async (t) => {
  const s = setup(t);
  s.pipeline.onEvents(upserts([...fixture('mesh.yaml'), meshConfig({})]));
  await s.pipeline.synced();
  const pod = s.store.proxies()[0]?.pod as Pod;
  const clone = { ...pod, metadata: { ...pod.metadata, name: 'new-pod', labels: { ...pod.metadata.labels, 'fsm-proxy-uuid': '99999999-0000-0000-0000-000000000009' } } };
  s.pipeline.onEvents(upserts([clone]));
  await waitFor('the new proxy has an output', () => s.set.get('99999999-0000-0000-0000-000000000009') !== undefined, 10_000);
  t.ok(s.pipeline.isReady());
  t.ok(s.publisher.published({ generator: 'sidecar', key: '99999999-0000-0000-0000-000000000009' }));
});

t.test('events arriving during a regeneration wait until it ends, then form the next batch', async (t) => {
  const s = setup(t, 1, 1);
  s.pipeline.onEvents(upserts([...fixture('mesh.yaml'), meshConfig({})]));
  const synced = s.pipeline.synced();
  // In steps of one node: once the first is published the model is held until the batch ends.
  // Steps yield with setImmediate: turning the loop the same way stops between two steps.
  while (s.publisher.size() === 0) await new Promise((r) => setImmediate(r));
  t.ok(s.publisher.size() < s.store.proxies().length, 'mid-regeneration');
  const before = s.applied.length;
  s.pipeline.onEvents(upserts([meshConfig({ sidecar: { logLevel: 'debug' } })]));
  t.equal(s.applied.length, before, 'held while the regeneration runs');
  await synced;
  t.equal(s.applied.length, before + 1, 'applied once it ended');
  const uuid = s.store.proxies()[0]?.uuid as string;
  await waitFor('the held change is generated', () => (s.set.get(uuid)?.config.Spec.SidecarLogLevel as string | undefined) === 'debug', 10_000);
  t.pass('the held change reached the generated config');
});

t.test('regenerate() queues nodes regardless of model changes; closed pipelines ignore input', async (t) => {
  const s = setup(t, 1);
  s.pipeline.onEvents(upserts([...fixture('mesh.yaml'), meshConfig({})]));
  await s.pipeline.synced();
  const recomputed = s.set.stats().recomputations;
  s.pipeline.regenerate([{ generator: 'sidecar', key: s.set.keys()[0] as string }]);
  await waitFor('one regeneration', () => s.set.stats().recomputations === recomputed + 1, 10_000);
  s.pipeline.close();
  s.pipeline.onEvents(upserts([meshConfig({ sidecar: { logLevel: 'warn' } })]));
  t.equal(s.store.meshConfig.spec.sidecar.logLevel, 'error', 'events after close are dropped');
});
