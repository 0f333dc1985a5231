import t, { type Test } from 'tap';
import { createSnapshotCache } from '../../cache/snapshot-cache.js';
import { createPublisher } from '../../src/controller/publisher.js';
import { createRegeneration } from '../../src/controller/regeneration.js';
import { createSidecarConfigSet } from '../../src/generate/sidecar/index.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { loadBaseCodebase } from '../../src/pipy-base/load-base-codebase.js';
import { fixture, meshConfig, storeOf } from '../generate/sidecar/fixtures/helpers.js';

// Regeneration in steps: each step is published and announced before the
// next is generated, with the event loop free in between.

async function setup(t: Test, stepSize: number) {
  const store = storeOf([...fixture('mesh.yaml'), meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: true } })]);
  const configs = createSidecarConfigSet({ view: store });
  const publisher = createPublisher({ base: await loadBaseCodebase(), cache: createSnapshotCache() });
  const metrics = createMetrics();
  t.teardown(() => metrics.shutdown());
  const announced: string[][] = [];
  const expected: string[] = [];
  const forgotten: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const holds: string[] = [];
  const regenerate = createRegeneration({
    view: store,
    configs,
    certificates: { ensure: async () => undefined },
    publisher,
    notifyChanged: (names) => void announced.push(names),
    convergence: { expect: (proxy) => void expected.push(proxy.uuid), forget: (uuid) => void forgotten.push(uuid) },
    metrics,
    logger: { debug() {}, warn() {}, error() {}, info: (msg, fields) => void (msg === 'proxies updated' && logs.push(fields ?? {})) },
    holdModel: () => {
      holds.push('hold');
      return () => void holds.push('release');
    },
    stepSize,
  });
  return { store, configs, publisher, metrics, regenerate, announced, expected, forgotten, logs, holds };
}

t.test('five proxies in steps of two: three announcements, the event loop runs between them', async (t) => {
  const s = await setup(t, 2);
  const uuids = s.store.proxies().map((p) => p.uuid);
  let announcedWhenLoopRan = -1;
  setImmediate(() => (announcedWhenLoopRan = s.announced.length));
  await s.regenerate([{ changes: [], proxies: uuids }], Date.now());
  t.same(s.announced.map((names) => names.length), [2, 2, 1], 'each step announced its own codebases');
  t.equal(announcedWhenLoopRan, 1, 'a callback queued before the regeneration ran after its first step');
  t.same([...s.expected].sort(), [...uuids].sort(), 'every proxy is expected to converge');
  for (const p of s.store.proxies()) t.ok(s.publisher.codebaseVersion(p), `${p.uuid} is published`);
  t.match(s.logs, [{ recomputed: 5, changed: 5, removed: 0, steps: 3 }], 'one log line for the whole regeneration');
  t.same(s.holds, ['hold', 'release'], 'the model was held once, across every step');
  t.match(await s.metrics.scrape(), /fsm_proxy_recompute_count(\{[^}]*\})? 5/, 'the recompute counter counts the batch');
});

t.test('a removed proxy is unpublished and forgotten in the first step', async (t) => {
  const s = await setup(t, 2);
  const uuids = s.store.proxies().map((p) => p.uuid);
  await s.regenerate([{ changes: [], proxies: uuids }], Date.now());
  const gone = s.store.proxies()[0];
  if (!gone) throw new Error('no proxy');
  const { changes } = s.store.apply([{ type: 'delete', object: gone.pod }]);
  s.announced.length = 0;
  await s.regenerate([{ changes }], Date.now());
  t.same(s.forgotten, [gone.uuid]);
  t.equal(s.publisher.codebaseVersion(gone), undefined, 'its codebase is gone');
  t.ok(s.announced[0]?.includes(`fsm-sidecar/${gone.cnPrefix}`), 'and announced at once, so its links close');
});
