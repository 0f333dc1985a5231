import t from 'tap';
import { createLinearCache } from '../../cache/linear-cache.js';
import type { Resource } from '../../cache/resource.js';
import { createSnapshot, type Snapshot } from '../../cache/snapshot.js';
import { createSnapshotCache } from '../../cache/snapshot-cache.js';
import { computeDeltaResponse } from '../../cache/delta-response.js';
import { createResourceView } from '../../cache/resource-view.js';
import { computeSotwResponse } from '../../cache/sotw-response.js';
import {
  requiresFullStateInSotw,
  TypeUrl,
  type Cancel,
  type ConfigWatcher,
  type DeltaResponse,
  type SotwResponse,
  type Subscription,
  type WatchRequest,
} from '../../cache/types.js';
import { node, req, res, sub } from './fixtures/helpers.js';

const { Cluster, Endpoint } = TypeUrl;
const UNIVERSE = ['a', 'b', 'c', 'd', 'e', 'f'];

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** A simulated proxy for one type: holds what it was sent, re-watches like an ACK. */
interface Client {
  readonly id: string;
  readonly key: string;
  readonly typeUrl: string;
  readonly delta: boolean;
  readonly wildcard: boolean;
  readonly names: readonly string[];
  version: string;
  returned: ReadonlyMap<string, string>;
  cancel: Cancel | undefined;
  /** Set while a watch is open. */
  open: OpenWatch | undefined;
}

interface OpenWatch {
  fired: boolean;
  cancelled: boolean;
  readonly req: WatchRequest;
  readonly sub: Subscription;
}

/** Whether the pure response rules would answer `w` against the current content. */
type DueCheck = (c: Client, w: OpenWatch) => boolean;

type Current = (c: Client) => ReadonlyMap<string, Resource>;

function runClients(cache: ConfigWatcher, clients: Client[], current: Current, rnd: () => number) {
  const failures: string[] = [];
  const check = (cond: boolean, msg: string) => void (cond || failures.push(msg));
  let immediateAck = 0.5;
  const counts = { responses: 0 };

  const onResponse = (c: Client, state: OpenWatch, r: SotwResponse | DeltaResponse) => {
    check(!state.fired, `${c.id}: respond called twice`);
    check(!state.cancelled, `${c.id}: respond after cancel`);
    state.fired = true;
    counts.responses++;
    c.open = undefined;
    const now = current(c);
    check(r.typeUrl === c.typeUrl, `${c.id}: type`);
    for (const x of r.resources) check(now.get(x.name) === x, `${c.id}: sent stale or unknown ${x.name}`);
    if ('removed' in r) for (const name of r.removed) check(!now.has(name) || !(c.wildcard || c.names.includes(name)), `${c.id}: removed live ${name}`);
    else c.version = r.version;
    c.returned = r.returned;
    if (rnd() < immediateAck) watch(c);
  };

  const watch = (c: Client): void => {
    if (c.open) return;
    const s = sub({ wildcard: c.wildcard, names: c.names, returned: c.returned });
    const rq = req(node(c.id, c.key), c.typeUrl, c.delta ? '' : c.version);
    const state: OpenWatch = { fired: false, cancelled: false, req: rq, sub: s };
    c.open = state;
    const cancel = c.delta
      ? cache.createDeltaWatch(rq, s, (r) => onResponse(c, state, r))
      : cache.createWatch(rq, s, (r) => onResponse(c, state, r));
    if (!state.fired) c.cancel = cancel;
  };

  const cancelOne = (c: Client): void => {
    if (!c.open || !c.cancel) return;
    c.open.cancelled = true;
    c.cancel();
    c.cancel();
    c.open = undefined;
  };

  return {
    failures,
    counts,
    watch,
    cancelOne,
    setImmediateAck: (p: number) => void (immediateAck = p),
    /** No open watch may be due: a cache that skipped one would leave a client stale. */
    checkParked(due: DueCheck): void {
      for (const c of clients) if (c.open && due(c, c.open)) failures.push(`${c.id}: due watch left pending`);
    },
    /**
     * A converged client holds every subscribed existing resource at its
     * current version, and (full state, delta) nothing else; SotW EDS cannot
     * express deletion, so there extra names may linger.
     */
    converged(c: Client): boolean {
      const now = current(c);
      const want = [...now.values()].filter((r) => c.wildcard || c.names.includes(r.name));
      const exact = c.delta || requiresFullStateInSotw(c.typeUrl);
      return (!exact || want.length === c.returned.size) && want.every((r) => c.returned.get(r.name) === r.version);
    },
  };
}

function dueAgainst(view: ReturnType<typeof createResourceView>, c: Client, w: OpenWatch): boolean {
  return (c.delta ? computeDeltaResponse(view, w.req, w.sub) : computeSotwResponse(view, w.req, w.sub)) !== undefined;
}

function makeClients(rnd: () => number, count: number, keys: string[], types: string[]): Client[] {
  const out: Client[] = [];
  for (let i = 0; i < count; i++) {
    const wildcard = rnd() < 0.3;
    out.push({
      id: `n${i}`,
      key: keys[i % keys.length] ?? 'k0',
      typeUrl: types[i % types.length] ?? Cluster,
      delta: rnd() < 0.4,
      wildcard,
      names: wildcard ? [] : UNIVERSE.filter(() => rnd() < 0.5),
      version: '',
      returned: new Map(),
      cancel: undefined,
      open: undefined,
    });
  }
  return out;
}

function randomSnapshot(rnd: () => number): Snapshot {
  const pick = (type: string) =>
    UNIVERSE.filter(() => rnd() < 0.7).map((name) => res(type, name, `${name}-${Math.floor(rnd() * 3)}`));
  return createSnapshot({ resources: { [Cluster]: pick(Cluster), [Endpoint]: pick(Endpoint) } });
}

t.test('snapshot cache: interleaved set/watch/cancel/clear keep the invariants', async (t) => {
  const rnd = prng(42);
  const keys = ['k0', 'k1', 'k2'];
  const cache = createSnapshotCache({ nodeHash: (nd) => nd.cluster });
  const clients = makeClients(rnd, 60, keys, [Cluster, Endpoint]);
  const current: Current = (c) => cache.getSnapshot(c.key)?.resources(c.typeUrl) ?? new Map();
  const sim = runClients(cache, clients, current, rnd);
  clients.forEach((c, i) => cache.streamOpened(i, node(c.id, c.key)));

  for (let step = 0; step < 5000; step++) {
    const op = rnd();
    const c = clients[Math.floor(rnd() * clients.length)];
    const key = keys[Math.floor(rnd() * keys.length)] ?? 'k0';
    if (!c) continue;
    if (op < 0.2) cache.setSnapshot(key, randomSnapshot(rnd));
    else if (op < 0.6) sim.watch(c);
    else if (op < 0.8) sim.cancelOne(c);
    else if (op < 0.83) cache.clearSnapshot(key);
    else cache.setSnapshot(key, cache.getSnapshot(key) ?? randomSnapshot(rnd));
    sim.checkParked((c, w) => {
      const s = cache.getSnapshot(c.key);
      return s !== undefined && dueAgainst(createResourceView(c.typeUrl, s.version(c.typeUrl), s.resources(c.typeUrl)), c, w);
    });
  }
  t.same(sim.failures.slice(0, 5), [], 'no invariant violated during the run');
  t.ok(sim.counts.responses > 1000, `the run exercised many responses (${sim.counts.responses})`);

  sim.setImmediateAck(1);
  for (const key of keys) cache.setSnapshot(key, randomSnapshot(rnd));
  for (const c of clients) sim.watch(c);
  t.same(clients.filter((c) => !sim.converged(c)).map((c) => c.id), [], 'every client converges on the final snapshots');
  t.same(clients.filter((c) => !c.open).map((c) => c.id), [], 'every client is parked on a watch');
  const pending = cache.numWatches();
  for (const key of keys) {
    const s = cache.getSnapshot(key);
    if (s) cache.setSnapshot(key, createSnapshot({ resources: { [Cluster]: [...s.resources(Cluster).values()], [Endpoint]: [...s.resources(Endpoint).values()] } }));
  }
  t.equal(cache.numWatches(), pending, 'equal content wakes nobody');
  t.same(sim.failures.slice(0, 5), []);

  for (const c of clients) sim.cancelOne(c);
  clients.forEach((c, i) => cache.streamClosed(i, node(c.id, c.key)));
  for (const key of keys) cache.clearSnapshot(key);
  t.equal(cache.numWatches(), 0);
  t.same(cache.statusKeys(), [], 'no state left behind');
});

t.test('linear cache: interleaved mutations and watches keep the invariants', async (t) => {
  const rnd = prng(7);
  const cache = createLinearCache(Endpoint, { versionPrefix: 'p-' });
  const clients = makeClients(rnd, 40, ['k'], [Endpoint]);
  const sim = runClients(cache, clients, () => cache.getResources(), rnd);
  const version = (name: string) => `${name}-${Math.floor(rnd() * 3)}`;

  for (let step = 0; step < 5000; step++) {
    const op = rnd();
    const c = clients[Math.floor(rnd() * clients.length)];
    const name = UNIVERSE[Math.floor(rnd() * UNIVERSE.length)] ?? 'a';
    if (!c) continue;
    if (op < 0.15) cache.updateResource(name, res(Endpoint, name, version(name)));
    else if (op < 0.2) cache.deleteResource(name);
    else if (op < 0.25) cache.updateResources([res(Endpoint, name, version(name))], [UNIVERSE[Math.floor(rnd() * 6)] ?? 'b']);
    else if (op < 0.3) cache.setResources(UNIVERSE.filter(() => rnd() < 0.6).map((n) => res(Endpoint, n, version(n))));
    else if (op < 0.7) sim.watch(c);
    else sim.cancelOne(c);
    sim.checkParked((c, w) => dueAgainst(createResourceView(Endpoint, cache.version(), cache.getResources()), c, w));
  }
  t.same(sim.failures.slice(0, 5), []);
  t.ok(sim.counts.responses > 1000, `the run exercised many responses (${sim.counts.responses})`);
  sim.setImmediateAck(1);
  cache.setResources(UNIVERSE.map((n) => res(Endpoint, n, `${n}-final`)));
  for (const c of clients) sim.watch(c);
  t.same(clients.filter((c) => !sim.converged(c)).map((c) => c.id), [], 'every client converges');
  for (const c of clients) sim.cancelOne(c);
  t.equal(cache.numWatches(), 0);
  t.equal(cache.numWildcardWatches(), 0);
});
