import t from 'tap';
import { createResourceView } from '../../cache/resource-view.js';
import { setVersion } from '../../cache/snapshot.js';
import { computeSotwResponse } from '../../cache/sotw-response.js';
import { TypeUrl } from '../../cache/types.js';
import type { Resource } from '../../cache/resource.js';
import { names, node, req, res, sub, type SubInit } from './fixtures/helpers.js';

const { Cluster, Endpoint } = TypeUrl;
const n = node('n1');

function viewOf(typeUrl: string, list: Resource[]) {
  return createResourceView(typeUrl, setVersion(list), new Map(list.map((r) => [r.name, r])));
}

const eds = [res(Endpoint, 'a'), res(Endpoint, 'b'), res(Endpoint, 'c')];
const cds = [res(Cluster, 'x'), res(Cluster, 'y')];
const edsView = viewOf(Endpoint, eds);
const cdsView = viewOf(Cluster, cds);
const v = (list: Resource[], name: string): string => list.find((r) => r.name === name)?.version ?? 'missing';

interface Case {
  name: string;
  type: 'eds' | 'cds';
  sub: SubInit;
  /** Client version; "SV" stands for the current type version. */
  version: string;
  respondIfUnchanged?: boolean;
  /** undefined: the watch must stay pending. */
  sent?: string[];
  returned?: string[];
}

const cases: Case[] = [
  { name: 'new named subscription', type: 'eds', sub: { names: ['a'] }, version: '', sent: ['a'], returned: ['a'] },
  { name: 'unchanged named', type: 'eds', sub: { names: ['a'], returned: { a: v(eds, 'a') } }, version: 'SV' },
  {
    name: 'changed: only the changed resource is sent',
    type: 'eds',
    sub: { names: ['a', 'b'], returned: { a: 'old', b: v(eds, 'b') } },
    version: 'old-version',
    sent: ['a'],
    returned: ['a', 'b'],
  },
  {
    name: 'newly subscribed name under an unchanged version',
    type: 'eds',
    sub: { names: ['a', 'b'], returned: { a: v(eds, 'a') } },
    version: 'SV',
    sent: ['b'],
    returned: ['a', 'b'],
  },
  { name: 'named resource missing: pending, not empty', type: 'eds', sub: { names: ['zzz'] }, version: '' },
  { name: 'missing names are skipped', type: 'eds', sub: { names: ['zzz', 'a'] }, version: '', sent: ['a'], returned: ['a'] },
  {
    name: 'type version changed but subscribed content did not',
    type: 'eds',
    sub: { names: ['a'], returned: { a: v(eds, 'a') } },
    version: 'older',
  },
  {
    name: 'NACKed version is parked',
    type: 'eds',
    sub: { wildcard: true, returned: { a: v(eds, 'a'), b: v(eds, 'b'), c: v(eds, 'c') } },
    version: 'SV',
  },
  {
    name: 'respondIfUnchanged sends every subscribed resource',
    type: 'eds',
    sub: { names: ['a', 'b'], returned: { a: v(eds, 'a'), b: v(eds, 'b') } },
    version: 'SV',
    respondIfUnchanged: true,
    sent: ['a', 'b'],
    returned: ['a', 'b'],
  },
  { name: 'respondIfUnchanged answers even with nothing', type: 'eds', sub: { names: ['zzz'] }, version: 'SV', respondIfUnchanged: true, sent: [], returned: [] },
  { name: 'wildcard first request', type: 'eds', sub: { wildcard: true }, version: '', sent: ['a', 'b', 'c'], returned: ['a', 'b', 'c'] },
  {
    name: 'non-full-state: a held resource that vanished does not wake the watch',
    type: 'eds',
    sub: { names: ['a', 'gone'], returned: { a: v(eds, 'a'), gone: 'v' } },
    version: 'older',
  },
  { name: 'CDS named, other clusters changed', type: 'cds', sub: { names: ['x'], returned: { x: v(cds, 'x') } }, version: 'older' },
  {
    name: 'CDS changed: full state',
    type: 'cds',
    sub: { wildcard: true, returned: { x: 'old', y: v(cds, 'y') } },
    version: 'older',
    sent: ['x', 'y'],
    returned: ['x', 'y'],
  },
  {
    name: 'CDS deletion is a full-state response without it',
    type: 'cds',
    sub: { wildcard: true, returned: { x: v(cds, 'x'), y: v(cds, 'y'), gone: 'v' } },
    version: 'older',
    sent: ['x', 'y'],
    returned: ['x', 'y'],
  },
  {
    name: 'CDS unsubscribed name is dropped in a full-state response',
    type: 'cds',
    sub: { names: ['x'], returned: { x: v(cds, 'x'), y: v(cds, 'y') } },
    version: 'SV',
    sent: ['x'],
    returned: ['x'],
  },
  { name: 'CDS named but missing: empty full state tells the client', type: 'cds', sub: { names: ['nope'] }, version: '', sent: [], returned: [] },
  { name: 'CDS unchanged', type: 'cds', sub: { wildcard: true, returned: { x: v(cds, 'x'), y: v(cds, 'y') } }, version: 'SV' },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const view = c.type === 'eds' ? edsView : cdsView;
    const version = c.version === 'SV' ? view.version : c.version;
    const out = computeSotwResponse(view, req(n, view.typeUrl, version, c.respondIfUnchanged), sub(c.sub));
    if (c.sent === undefined) {
      t.equal(out, undefined, 'watch stays pending');
      return;
    }
    if (!out) throw new Error('expected a response');
    t.equal(out.typeUrl, view.typeUrl);
    t.equal(out.version, view.version);
    t.same(names(out.resources), c.sent);
    t.same([...out.returned.keys()].sort(), c.returned);
    for (const [name, ver] of out.returned) t.equal(ver, view.resources.get(name)?.version, `returned ${name} at its current version`);
  });
}

t.test('empty wildcard type answers the first request, then parks', async (t) => {
  const view = viewOf(Endpoint, []);
  const first = computeSotwResponse(view, req(n, Endpoint, ''), sub({ wildcard: true }));
  t.same(first && names(first.resources), []);
  t.equal(first?.version, view.version);
  t.equal(computeSotwResponse(view, req(n, Endpoint, view.version), sub({ wildcard: true })), undefined);
});

t.test('identical content gives the same response object', async (t) => {
  const a = computeSotwResponse(edsView, req(node('n1'), Endpoint, ''), sub({ names: ['b', 'a'] }));
  const b = computeSotwResponse(edsView, req(node('n2'), Endpoint, ''), sub({ names: ['a', 'b', 'zzz'] }));
  const other = computeSotwResponse(edsView, req(node('n3'), Endpoint, ''), sub({ names: ['a'] }));
  t.ok(a);
  t.equal(a, b, 'same subscribed set, same object');
  t.not(a, other);
  const w1 = computeSotwResponse(cdsView, req(node('n1'), Cluster, ''), sub({ wildcard: true }));
  const w2 = computeSotwResponse(cdsView, req(node('n2'), Cluster, 'older'), sub({ wildcard: true, returned: { x: 'old' } }));
  t.equal(w1, w2, 'full-state wildcard answers are one object per view');
  t.ok(Object.isFrozen(w1));
});

t.test('decisions for held response maps match a fresh computation', async (t) => {
  const initial = computeSotwResponse(cdsView, req(n, Cluster, ''), sub({ wildcard: true }));
  if (!initial) throw new Error('expected a response');
  const views = [
    cdsView,
    viewOf(Cluster, [res(Cluster, 'x'), res(Cluster, 'y', 'y2')]),
    viewOf(Cluster, [res(Cluster, 'x')]),
    viewOf(Cluster, [res(Cluster, 'x'), res(Cluster, 'y'), res(Cluster, 'z')]),
  ];
  for (const view of views) {
    for (const version of ['', initial.version, 'other']) {
      for (const again of [false, true]) {
        const shared = { wildcard: true, names: new Set<string>(), returned: initial.returned };
        const copied = { wildcard: true, names: new Set<string>(), returned: new Map(initial.returned) };
        const rq = req(n, Cluster, version, again);
        const a = computeSotwResponse(view, rq, shared);
        const a2 = computeSotwResponse(view, rq, shared);
        const b = computeSotwResponse(view, rq, copied);
        t.equal(a, b, `same outcome for version "${version}" respondIfUnchanged=${again}`);
        t.equal(a2, a, 'memoised decision is stable');
      }
    }
  }
});
