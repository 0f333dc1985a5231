/**
 * Same mesh, any input order → same bytes and versions, for every proxy.
 */
import t from 'tap';
import { generateSidecarConfig } from '../../../src/generate/sidecar/index.js';
import { fixture, meshConfig, shuffle, storeOf } from './fixtures/helpers.js';

const base = [
  ...fixture('mesh.yaml'), ...fixture('smi.yaml'), ...fixture('policies.yaml'),
  meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: false }, featureFlags: { enableRetryPolicy: true, enablePluginPolicy: true } }),
];

function render(objects: typeof base): Map<string, string> {
  const store = storeOf(objects);
  const out = new Map<string, string>();
  for (const p of store.proxies()) out.set(p.uuid, generateSidecarConfig(store, p).json);
  return out;
}

t.test('shuffled insertion order gives identical bytes', (t) => {
  const reference = render(base);
  t.equal(reference.size, 5);
  for (const seed of [1, 7, 42, 1234, 99991]) {
    const shuffled = shuffle(base, seed);
    // Also reverse arrays whose order carries no meaning (TrafficTarget sources, split backends).
    const got = render(shuffled.map((o) => (o.kind === 'TrafficSplit' ? { ...o, spec: { ...(o.spec as object), backends: [...((o.spec as { backends: unknown[] }).backends)].reverse() } } : o)));
    for (const [uuid, json] of reference) t.equal(got.get(uuid), json, `seed ${seed} proxy ${uuid}`);
  }
  t.end();
});

t.test('a real change changes the version', (t) => {
  const before = render(base);
  const changed = base.map((o) => (o.kind === 'TrafficSplit' ? { ...o, spec: { ...(o.spec as object), backends: [{ service: 'bookstore-v1', weight: 50 }, { service: 'bookstore-v2', weight: 50 }] } } : o));
  const after = render(changed);
  const buyer = '11111111-0000-0000-0000-000000000001';
  t.not(after.get(buyer), before.get(buyer));
  t.end();
});
