import t from 'tap';
import { createLinearCache } from '../../cache/linear-cache.js';
import { TypeUrl, UnknownTypeError, type DeltaResponse, type SotwResponse } from '../../cache/types.js';
import { names, node, recorder, req, res, sub } from './fixtures/helpers.js';

const { Endpoint, Cluster, Listener } = TypeUrl;
const n = node('n1');
const eds = (name: string, content = name) => res(Endpoint, name, content);

t.test('named watches wake only when their resources change', async (t) => {
  const cache = createLinearCache(Endpoint, { initialResources: [eds('a'), eds('b')], versionPrefix: 'r1-' });
  t.equal(cache.version(), 'r1-0');
  const a = recorder<SotwResponse>();
  cache.createWatch(req(n, Endpoint), sub({ names: ['a'] }), a.respond);
  t.equal(a.got.length, 1, 'initial request answered at once');
  const held = a.got[0];
  if (!held) throw new Error('expected a response');
  t.same(held.returned, new Map([['a', eds('a').version]]), 'returned carries content hashes');

  const next = recorder<SotwResponse>();
  cache.createWatch(req(n, Endpoint, held.version), sub({ names: ['a'], returned: held.returned }), next.respond);
  t.equal(cache.numWatches('a'), 1);
  cache.updateResource('b', eds('b', 'b2'));
  t.equal(next.got.length, 0, 'change of b does not wake a watch on a');
  t.equal(cache.version(), 'r1-1');
  cache.updateResource('a', eds('a', 'a2'));
  t.equal(next.got.length, 1);
  t.equal(next.got[0]?.version, 'r1-2');
  t.same(names(next.got[0]?.resources ?? []), ['a']);
  t.equal(cache.numWatches(), 0);
  t.equal(cache.numWatches('a'), 0, 'answered watch removed from every name index');
});

t.test('a named watch for a missing resource waits for it; unchanged updates are no-ops', async (t) => {
  const cache = createLinearCache(Endpoint);
  const w = recorder<SotwResponse>();
  cache.createWatch(req(n, Endpoint), sub({ names: ['x'] }), w.respond);
  t.equal(w.got.length, 0);
  cache.updateResource('x', eds('x'));
  t.equal(w.got.length, 1);
  const before = cache.version();
  const same = eds('x');
  cache.updateResource('x', same);
  t.equal(cache.version(), before, 'same content: no new version');
  t.not(cache.getResources().get('x'), same, 'the already shared object is kept');
  t.throws(() => cache.updateResource('y', eds('z')), /given under name y/);
  t.throws(() => cache.updateResource('c', res(Cluster, 'c')), /cannot hold/);
});

t.test('wildcard watches wake on every change; NACK parks per resource', async (t) => {
  const cache = createLinearCache(Endpoint, { initialResources: [eds('a'), eds('b')] });
  const first = recorder<SotwResponse>();
  cache.createWatch(req(n, Endpoint), sub({ wildcard: true }), first.respond);
  const held = first.got[0];
  if (!held) throw new Error('expected a response');
  t.same(names(held.resources), ['a', 'b']);

  const parked = recorder<SotwResponse>();
  cache.createWatch(req(n, Endpoint, held.version), sub({ wildcard: true, returned: held.returned }), parked.respond);
  t.equal(cache.numWildcardWatches(), 1);
  t.equal(parked.got.length, 0, 'rejected/acknowledged version is not resent');
  cache.updateResource('c', eds('c'));
  t.same(names(parked.got[0]?.resources ?? []), ['c'], 'only the new resource (EDS is not full state)');
  t.equal(cache.numWildcardWatches(), 0);
});

t.test('updateResources is one mutation and one notification', async (t) => {
  const cache = createLinearCache(Endpoint, { initialResources: [eds('a'), eds('b'), eds('c')] });
  const w = recorder<SotwResponse>();
  const first = recorder<SotwResponse>();
  cache.createWatch(req(n, Endpoint), sub({ names: ['a', 'b', 'c'] }), first.respond);
  const held = first.got[0];
  cache.createWatch(req(n, Endpoint, held?.version), sub({ names: ['a', 'b', 'c'], returned: held?.returned }), w.respond);
  cache.updateResources([eds('a', 'a2'), eds('b', 'b2')], ['c']);
  t.equal(cache.version(), '1');
  t.equal(w.got.length, 1);
  t.same(names(w.got[0]?.resources ?? []), ['a', 'b']);
  t.same([...(w.got[0]?.returned.keys() ?? [])].sort(), ['a', 'b']);
  t.same([...cache.getResources().keys()].sort(), ['a', 'b']);
});

t.test('setResources computes the real difference', async (t) => {
  const cache = createLinearCache(Endpoint, { initialResources: [eds('a'), eds('b'), eds('c')] });
  const watchers = new Map<string, SotwResponse[]>();
  for (const name of ['a', 'b', 'c']) {
    const got: SotwResponse[] = [];
    watchers.set(name, got);
    const r = recorder<SotwResponse>();
    cache.createWatch(req(n, Endpoint), sub({ names: [name] }), r.respond);
    const held = r.got[0];
    cache.createWatch(req(n, Endpoint, held?.version), sub({ names: [name], returned: held?.returned }), (x) => void got.push(x));
  }
  cache.setResources([eds('a'), eds('b', 'changed'), eds('d')]);
  t.equal(watchers.get('a')?.length, 0, 'unchanged a: not woken');
  t.equal(watchers.get('b')?.length, 1, 'changed b: woken');
  t.equal(watchers.get('c')?.length, 0, 'deleted c: EDS in SotW cannot express deletion, so no response');
  t.equal(cache.numWatches('c'), 1);
  t.same([...cache.getResources().keys()].sort(), ['a', 'b', 'd']);
  const v = cache.version();
  cache.setResources([eds('a'), eds('b', 'changed'), eds('d')]);
  t.equal(cache.version(), v, 'identical set: no version bump');
});

t.test('full-state types tell deletions to named SotW watches', async (t) => {
  const cache = createLinearCache(Listener, { initialResources: [res(Listener, 'l1'), res(Listener, 'l2')] });
  const r = recorder<SotwResponse>();
  cache.createWatch(req(n, Listener), sub({ names: ['l1', 'l2'] }), r.respond);
  const held = r.got[0];
  const next = recorder<SotwResponse>();
  cache.createWatch(req(n, Listener, held?.version), sub({ names: ['l1', 'l2'], returned: held?.returned }), next.respond);
  cache.deleteResource('l2');
  t.same(names(next.got[0]?.resources ?? []), ['l1']);
});

t.test('delta watches get changes and removals', async (t) => {
  const cache = createLinearCache(Endpoint, { initialResources: [eds('a'), eds('b')] });
  const first = recorder<DeltaResponse>();
  cache.createDeltaWatch(req(n, Endpoint), sub({ names: ['a', 'b'] }), first.respond);
  const held = first.got[0];
  t.same(names(held?.resources ?? []), ['a', 'b']);
  const next = recorder<DeltaResponse>();
  cache.createDeltaWatch(req(n, Endpoint), sub({ names: ['a', 'b'], returned: held?.returned }), next.respond);
  t.equal(next.got.length, 0);
  cache.deleteResource('b');
  t.same(next.got[0]?.removed, ['b']);
  t.same(next.got[0]?.resources, []);
  const wildcard = recorder<DeltaResponse>();
  cache.createDeltaWatch(req(n, Endpoint, '', true), sub({ wildcard: true, returned: { a: eds('a').version } }), wildcard.respond);
  t.equal(wildcard.got.length, 1, 'respondIfUnchanged answers the first wildcard request');
  t.same(wildcard.got[0]?.resources, []);
});

t.test('other type URLs throw UnknownTypeError; cancel is idempotent', async (t) => {
  const cache = createLinearCache(Endpoint);
  t.throws(() => cache.createWatch(req(n, Cluster), sub({ wildcard: true }), () => {}), UnknownTypeError);
  const err = t.throws(() => cache.createDeltaWatch(req(n, Cluster), sub({ wildcard: true }), () => {}));
  t.equal((err as UnknownTypeError).typeUrl, Cluster);
  t.match((err as Error).message, /serves .*ClusterLoadAssignment/);
  const r = recorder<SotwResponse>();
  const cancel = cache.createWatch(req(n, Endpoint), sub({ names: ['x', 'y'] }), r.respond);
  t.equal(cache.numWatches('x'), 1);
  cancel();
  cancel();
  t.equal(cache.numWatches(), 0);
  t.equal(cache.numWatches('y'), 0);
  cache.updateResource('x', eds('x'));
  t.equal(r.got.length, 0);
});

t.test('a callback that mutates the cache does not lose other watches', async (t) => {
  const cache = createLinearCache(Endpoint);
  const got: string[] = [];
  cache.createWatch(req(n, Endpoint), sub({ names: ['a'] }), () => {
    got.push('a');
    cache.updateResource('b', eds('b'));
  });
  cache.createWatch(req(n, Endpoint), sub({ names: ['b'] }), (r) => void got.push(`b:${names(r.resources).join()}`));
  cache.createWatch(req(n, Endpoint), sub({ names: ['a'] }), () => void got.push('a2'));
  cache.updateResource('a', eds('a'));
  t.same(got.sort(), ['a', 'a2', 'b:b']);
  t.equal(cache.numWatches(), 0);
});
