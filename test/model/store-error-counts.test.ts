import t from 'tap';
import { createModelStore } from '../../src/model/store.js';
import type { ModelError } from '../../src/model/errors.js';
import { del, ns, pod, routeGroup, service, slice, trafficTarget, up } from './fixtures/objects.js';

// An initial sync delivers objects in any order: a TrafficTarget before its HTTPRouteGroup (E2005),
// a Service before its endpoints (E3000). Counting those on every restart would trip error alerts.

const outOfOrder = () => [
  up(ns('b'), service('b', 'server'), trafficTarget('b', 'tt', 'server', [{ name: 'client', namespace: 'b' }])),
  up(routeGroup('b'), slice('b', 'server', ['10.0.2.1']), pod('b', 'server-1', { sa: 'server', labels: { app: 'server' }, ip: '10.0.2.1', uuid: 'u1' })),
];

t.test('with countErrorsAfterSync, errors healed during the initial sync are never counted', async (t) => {
  const store = createModelStore({ countErrorsAfterSync: true });
  const heard: ModelError[] = [];
  store.onError((e) => heard.push(e));
  const [first, second] = outOfOrder();
  const raised = store.apply(first ?? []).errors;
  t.same(raised.map((e) => e.code).sort(), ['E2005', 'E3000'], 'the batch still reports what it raised');
  t.same(store.errors().map((e) => e.code).sort(), ['E2005', 'E3000'], 'and errors() lists them meanwhile');
  store.apply(second ?? []);
  t.same(store.errors(), [], 'healed by the rest of the sync');
  store.sourcesSynced();
  t.same([...store.errorCounts()], [], 'nothing counted');
  t.same(heard, [], 'no listener called');
});

t.test('errors still present when the sources have synced are counted once, later ones as they happen', async (t) => {
  const store = createModelStore({ countErrorsAfterSync: true });
  const heard: string[] = [];
  store.onError((e) => heard.push(e.code ?? ''));
  const [first] = outOfOrder();
  store.apply(first ?? []);
  store.apply(first ?? []);
  store.sourcesSynced();
  store.sourcesSynced();
  t.same(Object.fromEntries(store.errorCounts()), { E2005: 1, E3000: 1 }, 'persisting errors counted once');
  t.same(heard.sort(), ['E2005', 'E3000']);
  store.apply(del(routeGroup('b')));
  store.apply(up(service('b', 'other')));
  t.same(Object.fromEntries(store.errorCounts()), { E2005: 1, E3000: 2 }, 'a new error after the sync counts at once');
});

t.test('by default every error is counted when raised (as before)', async (t) => {
  const store = createModelStore();
  const [first, second] = outOfOrder();
  store.apply(first ?? []);
  store.apply(second ?? []);
  t.same(Object.fromEntries(store.errorCounts()), { E2005: 1, E3000: 1 });
});
