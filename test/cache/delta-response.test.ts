import t from 'tap';
import { computeDeltaResponse } from '../../cache/delta-response.js';
import { createResourceView } from '../../cache/resource-view.js';
import { setVersion } from '../../cache/snapshot.js';
import { TypeUrl } from '../../cache/types.js';
import type { Resource } from '../../cache/resource.js';
import { names, node, req, res, sub, type SubInit } from './fixtures/helpers.js';

const { Cluster } = TypeUrl;
const list = [res(Cluster, 'a'), res(Cluster, 'b'), res(Cluster, 'c')];
const view = createResourceView(Cluster, setVersion(list), new Map(list.map((r) => [r.name, r])));
const v = (name: string): string => list.find((r: Resource) => r.name === name)?.version ?? 'missing';

interface Case {
  name: string;
  sub: SubInit;
  respondIfUnchanged?: boolean;
  /** undefined: stays pending. */
  sent?: string[];
  removed?: string[];
  returned?: string[];
}

const cases: Case[] = [
  { name: 'named first request', sub: { names: ['a', 'b'] }, sent: ['a', 'b'], removed: [], returned: ['a', 'b'] },
  { name: 'wildcard first request', sub: { wildcard: true }, sent: ['a', 'b', 'c'], removed: [], returned: ['a', 'b', 'c'] },
  { name: 'nothing changed', sub: { wildcard: true, returned: { a: v('a'), b: v('b'), c: v('c') } } },
  {
    name: 'initial_resource_versions: only stale ones are sent',
    sub: { wildcard: true, returned: { a: v('a'), b: 'stale', c: v('c') } },
    sent: ['b'],
    removed: [],
    returned: ['a', 'b', 'c'],
  },
  {
    name: 'held resource that no longer exists is removed',
    sub: { names: ['a', 'gone'], returned: { a: v('a'), gone: 'x' } },
    sent: [],
    removed: ['gone'],
    returned: ['a'],
  },
  {
    name: 'unsubscribed named resource is removed',
    sub: { names: ['a'], returned: { a: v('a'), b: v('b') } },
    sent: [],
    removed: ['b'],
    returned: ['a'],
  },
  {
    name: 'unsubscribed while wildcard ("" in returned) is resent',
    sub: { wildcard: true, returned: { a: v('a'), b: '', c: v('c') } },
    sent: ['b'],
    removed: [],
    returned: ['a', 'b', 'c'],
  },
  {
    name: 'unsubscribed while wildcard and gone is removed',
    sub: { wildcard: true, returned: { a: v('a'), b: v('b'), c: v('c'), old: '' } },
    sent: [],
    removed: ['old'],
    returned: ['a', 'b', 'c'],
  },
  { name: 'named missing resource: pending', sub: { names: ['zzz'] } },
  {
    name: 'respondIfUnchanged answers empty',
    sub: { wildcard: true, returned: { a: v('a'), b: v('b'), c: v('c') } },
    respondIfUnchanged: true,
    sent: [],
    removed: [],
    returned: ['a', 'b', 'c'],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const s = sub(c.sub);
    const out = computeDeltaResponse(view, req(node('n'), Cluster, '', c.respondIfUnchanged), s);
    if (c.sent === undefined) {
      t.equal(out, undefined, 'stays pending');
      return;
    }
    if (!out) throw new Error('expected a response');
    t.equal(out.systemVersion, view.version);
    t.same(names(out.resources), c.sent);
    t.same(out.removed, c.removed);
    t.same([...out.returned.keys()].sort(), c.returned);
    for (const r of out.resources) t.equal(out.returned.get(r.name), r.version);
    t.not(out.returned, s.returned, 'the subscription is never mutated');
  });
}

t.test('onlyNames gives the full answer for a watch that was not due before the change', async (t) => {
  const held = new Map(list.map((r) => [r.name, r.version]));
  const changes: Array<[string, Resource[], string[]]> = [
    ['update b', [res(Cluster, 'a'), res(Cluster, 'b', 'b2'), res(Cluster, 'c')], ['b']],
    ['delete c, add d', [res(Cluster, 'a'), res(Cluster, 'b'), res(Cluster, 'd')], ['c', 'd']],
    ['touch a without change', list, ['a']],
  ];
  for (const [label, next, changed] of changes) {
    const after = createResourceView(Cluster, setVersion(next), new Map(next.map((r) => [r.name, r])));
    for (const s of [sub({ wildcard: true, returned: held }), sub({ names: ['b', 'c', 'd'], returned: { b: v('b'), c: v('c') } })]) {
      t.equal(computeDeltaResponse(view, req(node('n'), Cluster), s), undefined, `${label}: not due before`);
      const full = computeDeltaResponse(after, req(node('n'), Cluster), s);
      const partial = computeDeltaResponse(after, req(node('n'), Cluster), s, changed);
      t.same(partial, full, `${label}: same answer (wildcard=${s.wildcard})`);
    }
  }
});
