import t, { type Test } from 'tap';
import { createLinearCache } from '../../cache/linear-cache.js';
import { createSnapshotCache } from '../../cache/snapshot-cache.js';
import { TypeUrl } from '../../cache/types.js';
import { createNodePublisher } from '../../src/controller/node-publisher.js';
import { createRegeneration } from '../../src/controller/regeneration.js';
import { createSidecarConfigSet } from '../../src/generate/sidecar/index.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { loadBaseCodebase } from '../../src/pipy-base/load-base-codebase.js';
import { fixture, meshConfig, storeOf } from '../generate/sidecar/fixtures/helpers.js';

// Regeneration in steps: each step is published into the caches before the
// next is generated, with the event loop free in between.

async function setup(t: Test, stepSize: number) {
  const store = storeOf([...fixture('mesh.yaml'), meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: true } })]);
  const set = createSidecarConfigSet({ view: store, base: await loadBaseCodebase() });
  const codebases = createLinearCache(TypeUrl.PipyCodebase);
  const publisher = createNodePublisher({ snapshots: createSnapshotCache(), codebases });
  const metrics = createMetrics();
  t.teardown(() => metrics.shutdown());
  /** The codebase names of each cache update, as the repo server's watch would see them. */
  const updates: number[] = [];
  let lastVersion = codebases.version();
  const expected: string[] = [];
  const forgotten: string[] = [];
  const prepared: string[][] = [];
  const logs: Record<string, unknown>[] = [];
  const holds: string[] = [];
  const regenerate = createRegeneration({
    generators: [{ set, prepare: async (keys) => void prepared.push([...keys]) }],
    publisher: {
      ...publisher,
      publish(generator, changed, removed) {
        publisher.publish(generator, changed, removed);
        if (codebases.version() !== lastVersion) updates.push(changed.length + removed.length);
        lastVersion = codebases.version();
      },
    },
    convergence: { expect: (node) => void expected.push(node.key), forget: (node) => void forgotten.push(node.key) },
    metrics,
    logger: { debug() {}, warn() {}, error() {}, info: (msg, fields) => void (msg === 'proxies updated' && logs.push(fields ?? {})) },
    holdModel: () => {
      holds.push('hold');
      return () => void holds.push('release');
    },
    stepSize,
  });
  return { store, set, publisher, codebases, metrics, regenerate, updates, expected, forgotten, prepared, logs, holds };
}

t.test('five proxies in steps of two: three cache updates, the event loop runs between them', async (t) => {
  const s = await setup(t, 2);
  const uuids = s.store.proxies().map((p) => p.uuid);
  let updatesWhenLoopRan = -1;
  setImmediate(() => (updatesWhenLoopRan = s.updates.length));
  await s.regenerate([{ changes: [], nodes: uuids.map((key) => ({ generator: 'sidecar', key })) }], Date.now());
  t.same(s.updates, [2, 2, 1], 'each step published its own codebases');
  t.equal(updatesWhenLoopRan, 1, 'a callback queued before the regeneration ran after its first step');
  t.same([...s.expected].sort(), [...uuids].sort(), 'every proxy is expected to converge');
  t.same(s.prepared.map((k) => [...k].sort()), [[...uuids].sort()], 'prepared once, before generation, with every affected node');
  for (const uuid of uuids) t.ok(s.publisher.published({ generator: 'sidecar', key: uuid })?.codebase, `${uuid} is published`);
  t.match(s.logs, [{ generator: 'sidecar', recomputed: 5, changed: 5, removed: 0, steps: 3 }], 'one log line for the whole regeneration');
  t.same(s.holds, ['hold', 'release'], 'the model was held once, across every step');
  t.match(await s.metrics.scrape(), /fsm_proxy_recompute_count(\{[^}]*\})? 5/, 'the recompute counter counts the batch');
});

t.test('a removed proxy is unpublished and forgotten in the first step', async (t) => {
  const s = await setup(t, 2);
  const uuids = s.store.proxies().map((p) => p.uuid);
  await s.regenerate([{ changes: [], nodes: uuids.map((key) => ({ generator: 'sidecar', key })) }], Date.now());
  const gone = s.store.proxies()[0];
  if (!gone) throw new Error('no proxy');
  const { changes } = s.store.apply([{ type: 'delete', object: gone.pod }]);
  s.updates.length = 0;
  await s.regenerate([{ changes }], Date.now());
  t.same(s.forgotten, [gone.uuid]);
  t.equal(s.publisher.published({ generator: 'sidecar', key: gone.uuid }), undefined, 'its outputs are gone');
  t.notOk(s.codebases.getResources().has(`fsm-sidecar/${gone.cnPrefix}`), 'its codebase left the cache');
  t.ok(s.updates.length >= 1, 'in a cache update of its own step');
});

t.test('nodes of another generator in a batch are not this generator’s business', async (t) => {
  const s = await setup(t, 10);
  await s.regenerate([{ changes: [], nodes: [{ generator: 'gateway', key: 'ns/gw' }] }], Date.now());
  t.same(s.prepared, [], 'nothing to prepare');
  t.same(s.expected, [], 'nothing generated');
});
