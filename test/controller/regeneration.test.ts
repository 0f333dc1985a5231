import t, { type Test } from 'tap';
import { createLinearCache } from '../../cache/linear-cache.js';
import { createSnapshotCache } from '../../cache/snapshot-cache.js';
import { TypeUrl } from '../../cache/types.js';
import { createNodePublisher } from '../../src/controller/node-publisher.js';
import { createRegeneration } from '../../src/controller/regeneration.js';
import { createOutputSet } from '../../src/generate/output-set.js';
import { createSidecarGenerator } from '../../src/generate/sidecar/index.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { loadBaseCodebase } from '../../src/pipy-base/load-base-codebase.js';
import { fixture, meshConfig, storeOf } from '../generate/sidecar/fixtures/helpers.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

// Regeneration in steps: each step is published into the caches before the
// next is generated, with the event loop free in between.

async function setup(t: Test, stepSize: number) {
  const store = storeOf([...fixture('mesh.yaml'), meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: true } })]);
  /** Proxies whose generation throws (a generator bug), as the engine sees it. */
  const failing = new Set<string>();
  /** Proxies whose generation works but whose outputs throw when built (a bug in an output builder). */
  const failingOutputs = new Set<string>();
  const sidecar = createSidecarGenerator({ base: await loadBaseCodebase(), trustDomain: 'cluster.local' });
  const set = createOutputSet(
    {
      ...sidecar,
      generate(view, key, batch) {
        if (failing.has(key)) throw new Error(`generator bug for ${key}`);
        const node = sidecar.generate(view, key, batch);
        if (!failingOutputs.has(key)) return node;
        return {
          ...node,
          outputs: () => {
            throw new Error(`output bug for ${key}`);
          },
        };
      },
    },
    store,
  );
  const codebases = createLinearCache(TypeUrl.PipyCodebase);
  const publisher = createNodePublisher({ snapshots: createSnapshotCache(), codebases });
  const metrics = createMetrics();
  t.teardown(() => metrics.close());
  /** The codebase names of each cache update, as the repo server's watch would see them. */
  const updates: number[] = [];
  let lastVersion = codebases.version();
  const expected: string[] = [];
  const forgotten: string[] = [];
  const prepared: string[][] = [];
  const logs: Record<string, unknown>[] = [];
  const errors: { msg: string; fields: Record<string, unknown> }[] = [];
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
    logger: { debug() {}, warn() {}, error: (msg, fields) => void errors.push({ msg, fields: fields ?? {} }), info: (msg, fields) => void (msg === 'proxies updated' && logs.push(fields ?? {})) },
    holdModel: () => {
      holds.push('hold');
      return () => void holds.push('release');
    },
    stepSize,
  });
  return { store, set, failing, failingOutputs, publisher, codebases, metrics, regenerate, updates, expected, forgotten, prepared, logs, errors, holds };
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

t.test('fsm_proxy_config_update_time: one observation per proxy; a proxy whose generation fails keeps its config and counts success="false"', async (t) => {
  const s = await setup(t, 2);
  const uuids = s.store.proxies().map((p) => p.uuid);
  const all = () => [{ changes: [], nodes: uuids.map((key) => ({ generator: 'sidecar', key })) }];
  const updateTime = (success: string) => sampleValue(parsePrometheusText(s.metrics.scrape()), 'fsm_proxy_config_update_time_count', { resource_type: 'sidecar', success });
  t.equal(updateTime('false'), 0, 'the failure series exists at 0 before any failure');
  await s.regenerate(all(), Date.now());
  t.equal(updateTime('true'), uuids.length, 'one observation per proxy generated');

  const [victim, ...others] = uuids as [string, ...string[]];
  const before = s.publisher.published({ generator: 'sidecar', key: victim });
  const versionBefore = s.set.get(victim)?.version;
  s.failing.add(victim);
  // A mesh-wide change, so every proxy's config changes.
  const { changes } = s.store.apply([{ type: 'upsert', object: meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: true }, sidecar: { logLevel: 'debug' } }) }]);
  s.expected.length = 0;
  await s.regenerate([{ changes }], Date.now());
  t.equal(updateTime('false'), 1, 'the failed proxy is one success="false" observation');
  t.equal(updateTime('true'), uuids.length + others.length, 'the others succeeded');
  t.same([...s.expected].sort(), [...others].sort(), 'the rest of the batch was generated and published');
  t.equal(s.set.get(victim)?.version, versionBefore, 'the failed proxy keeps its last good config');
  t.same(s.publisher.published({ generator: 'sidecar', key: victim }), before, 'and keeps being served it');
  t.match(s.errors, [{ msg: /generation failed/, fields: { generator: 'sidecar', node: victim, error: /generator bug/ } }], 'the failure is logged with the proxy');
  t.match(s.logs.at(-1), { failed: 1 });

  s.failing.clear();
  await s.regenerate(all(), Date.now());
  t.not(s.set.get(victim)?.version, versionBefore, 'once generation works again the proxy gets the new config');
});

t.test('a proxy whose outputs fail to build keeps its last config; the rest of its step is published', async (t) => {
  const s = await setup(t, 250);
  const uuids = s.store.proxies().map((p) => p.uuid);
  await s.regenerate([{ changes: [], nodes: uuids.map((key) => ({ generator: 'sidecar', key })) }], Date.now());
  const [victim, ...others] = uuids as [string, ...string[]];
  const before = s.publisher.published({ generator: 'sidecar', key: victim });
  const othersBefore = others.map((key) => s.publisher.published({ generator: 'sidecar', key }));
  s.failingOutputs.add(victim);
  const { changes } = s.store.apply([{ type: 'upsert', object: meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: true }, sidecar: { logLevel: 'debug' } }) }]);
  s.expected.length = 0;
  await s.regenerate([{ changes }], Date.now());
  t.same(s.publisher.published({ generator: 'sidecar', key: victim }), before, 'the victim is still served its last config');
  others.forEach((key, i) => t.not(s.publisher.published({ generator: 'sidecar', key }), othersBefore[i], `${key} got the new config in the same step`));
  t.same([...s.expected].sort(), [...others].sort(), 'convergence expects the others only');
  t.match(s.errors, [{ msg: /output failed/, fields: { generator: 'sidecar', node: victim, error: /output bug/ } }]);
  t.match(s.logs.at(-1), { failed: 1, changed: uuids.length });
  t.same(s.holds, ['hold', 'release', 'hold', 'release'], 'the model is released after the failure');
});
