/**
 * Snapshot cache fan-out benchmark: the time setSnapshot takes to answer
 * 1k / 5k / 20k pending watches of nodes that share one snapshot key, how
 * many distinct response objects it hands out (the server encodes each once),
 * what one key's setSnapshot costs while other keys hold many watches, and
 * how many named EDS watches a single-endpoint change wakes, and what one
 * update of a 1,000-resource linear EDS cache costs with that many parked
 * wildcard delta watches (each answer copies the client's name->version map,
 * so this one is O(resources) per answered watch). The shared-key watches
 * hold server subscription objects (server/subscription.ts), so the figures
 * are those of the path real streams take; the same update with copied maps
 * (what streams held before) is the same run's baseline.
 * Run: tsc to dist, then `node dist/bench/cache-fanout.js` (SIZES=1000,5000 to choose).
 */
import { performance } from 'node:perf_hooks';
import {
  createResource,
  createSnapshot,
  createLinearCache,
  createSnapshotCache,
  encodeCounter,
  TypeUrl,
  type Resource,
  type Snapshot,
  type SotwResponse,
  sotwDecisions,
} from '../cache/index.js';
import { createSotwSubscription } from '../server/subscription.js';

const SIZES = (process.env.SIZES ?? '1000,5000,20000').split(',').map(Number);
const CLUSTERS = 200;
const LINEAR_RESOURCES = 1000;
const encoder = new TextEncoder();

function resource(typeUrl: string, name: string, content: string): Resource {
  return createResource({ typeUrl, name, bytes: encoder.encode(content) });
}

function build(generation: number, changed: number): Snapshot {
  const clusters: Resource[] = [];
  const endpoints: Resource[] = [];
  for (let i = 0; i < CLUSTERS; i++) {
    const gen = i === changed ? generation : 0;
    clusters.push(resource(TypeUrl.Cluster, `c${i}`, `cluster ${i} gen ${gen}`));
    endpoints.push(resource(TypeUrl.Endpoint, `c${i}`, `endpoints ${i} gen ${gen}`));
  }
  return createSnapshot({ resources: { [TypeUrl.Cluster]: clusters, [TypeUrl.Endpoint]: endpoints } });
}

const sub = (wildcard: boolean, names: string[], returned: ReadonlyMap<string, string>) => ({ wildcard, names: new Set(names), returned });

/**
 * A wildcard SotW subscription as the server's stream keeps it after
 * answering with `held` (server/subscription.ts): the path production takes.
 * `copy` gives what streams did before they held the cache's map (their own
 * copy of it), the same run's baseline.
 */
function streamSubscription(held: ReadonlyMap<string, string>, copy: boolean) {
  const s = createSotwSubscription([], { allowLegacyWildcard: true });
  s.setReturned(copy ? new Map(held) : held);
  return s;
}

interface Row {
  watches: number;
  sharedKeyMs: number;
  /** The same update with each stream holding a copy of the map (the old path). */
  copiedKeyMs: number;
  /** Watches of the shared-key update decided through the shared decision. */
  sharedShare: number;
  answered: number;
  distinctResponses: number;
  otherKeyMs: number;
  edsMs: number;
  edsAnswered: number;
  linearMs: number;
  linearAnswered: number;
}

/** Section 1: n nodes on one key, each parked on a wildcard CDS watch at snapshot 1; snapshot 2 answers them all. */
function sharedKeyUpdate(n: number, copy: boolean): { ms: number; answered: number; distinct: number; shared: number } {
  const cache = createSnapshotCache({ nodeHash: (node) => node.cluster });
  const s1 = build(1, 0);
  cache.setSnapshot('shared', s1);
  let first: SotwResponse | undefined;
  cache.createWatch({ node: { id: 'probe', cluster: 'shared' }, typeUrl: TypeUrl.Cluster, versionInfo: '' }, sub(true, [], new Map()), (r) => (first = r));
  if (!first) throw new Error('no initial response');
  const held = first;
  const got = new Set<SotwResponse>();
  let answered = 0;
  for (let i = 0; i < n; i++) {
    cache.createWatch({ node: { id: `n${i}`, cluster: 'shared' }, typeUrl: TypeUrl.Cluster, versionInfo: held.version }, streamSubscription(held.returned, copy), (r) => {
      answered++;
      got.add(r);
    });
  }
  const s2 = build(2, 7);
  const before = sotwDecisions.shared;
  const t0 = performance.now();
  cache.setSnapshot('shared', s2);
  const ms = performance.now() - t0;
  return { ms, answered, distinct: got.size, shared: sotwDecisions.shared - before };
}

function run(n: number): Row {
  const copied = sharedKeyUpdate(n, true);
  const held = sharedKeyUpdate(n, false);
  const s1 = build(1, 0);
  const s2 = build(2, 7);
  const sharedKeyMs = held.ms;
  const answered = held.answered;
  let t0 = 0;

  // 2. one key's update while n other keys hold a watch each.
  const many = createSnapshotCache();
  for (let i = 0; i < n; i++) {
    many.createWatch({ node: { id: `k${i}`, cluster: 'x' }, typeUrl: TypeUrl.Cluster, versionInfo: '' }, sub(true, [], new Map()), () => {});
  }
  t0 = performance.now();
  many.setSnapshot('k0', s1);
  const otherKeyMs = performance.now() - t0;

  // 3. n named EDS watches spread over CLUSTERS names; one endpoint set changes.
  const eds = createSnapshotCache({ nodeHash: () => 'shared' });
  eds.setSnapshot('shared', s1);
  let edsAnswered = 0;
  for (let i = 0; i < n; i++) {
    const name = `c${i % CLUSTERS}`;
    const held = s1.resources(TypeUrl.Endpoint).get(name);
    eds.createWatch(
      { node: { id: `e${i}`, cluster: 'shared' }, typeUrl: TypeUrl.Endpoint, versionInfo: s1.version(TypeUrl.Endpoint) },
      sub(false, [name], new Map([[name, held?.version ?? '']])),
      () => void edsAnswered++,
    );
  }
  t0 = performance.now();
  eds.setSnapshot('shared', s2);
  const edsMs = performance.now() - t0;

  // 4. A fleet-wide linear EDS cache: n wildcard delta watches hold everything; one resource changes.
  const linear = createLinearCache(TypeUrl.Endpoint, {
    initialResources: Array.from({ length: LINEAR_RESOURCES }, (_, i) => resource(TypeUrl.Endpoint, `ep${i}`, `endpoints ${i}`)),
  });
  const all = new Map([...linear.getResources()].map(([name, r]) => [name, r.version]));
  let linearAnswered = 0;
  for (let i = 0; i < n; i++) {
    linear.createDeltaWatch({ node: { id: `l${i}`, cluster: 'x' }, typeUrl: TypeUrl.Endpoint, versionInfo: '' }, sub(true, [], all), () => void linearAnswered++);
  }
  t0 = performance.now();
  linear.updateResource('ep42', resource(TypeUrl.Endpoint, 'ep42', 'endpoints 42 moved'));
  const linearMs = performance.now() - t0;

  return { watches: n, sharedKeyMs, copiedKeyMs: copied.ms, sharedShare: held.shared / Math.max(1, held.answered), answered, distinctResponses: held.distinct, otherKeyMs, edsMs, edsAnswered, linearMs, linearAnswered };
}

run(1000);
const encodedBefore = encodeCounter.any;
console.log(
  'watches  setSnapshot(shared key)  us/watch  vs-copied-maps  shared-path  answered  distinct-responses  other-key-update  eds-named(1 change)  eds-answered  linear-delta(1 change)  answered',
);
for (const n of SIZES) {
  const r = run(n);
  console.log(
    [
      String(r.watches).padStart(7),
      `${r.sharedKeyMs.toFixed(2)} ms`.padStart(24),
      ((r.sharedKeyMs * 1000) / r.watches).toFixed(2).padStart(9),
      `${(r.sharedKeyMs / r.copiedKeyMs).toFixed(2)}x`.padStart(15),
      `${(r.sharedShare * 100).toFixed(1)}%`.padStart(12),
      String(r.answered).padStart(9),
      String(r.distinctResponses).padStart(19),
      `${r.otherKeyMs.toFixed(3)} ms`.padStart(17),
      `${r.edsMs.toFixed(2)} ms`.padStart(20),
      String(r.edsAnswered).padStart(13),
      `${r.linearMs.toFixed(2)} ms`.padStart(24),
      String(r.linearAnswered).padStart(10),
    ].join(''),
  );
}
console.log(`Any envelopes encoded by the cache during the runs: ${encodeCounter.any - encodedBefore}`);
console.log('vs-copied-maps: the shared-key update with server-held subscriptions against the same update with each stream holding its own copy (the path before), same run; shared-path: share of its watches decided by reusing another watch\'s decision.');
