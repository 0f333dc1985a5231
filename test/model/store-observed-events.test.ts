import t from 'tap';
import { createModelStore } from '../../src/model/store.js';
import { del, meshConfig, ns, pod, service, split, up } from './fixtures/objects.js';

// ApplyResult.events: the source events FSM's informers would count in
// fsm_k8s_api_event_count (objects of monitored namespaces and kinds seen regardless).

const brief = (events: readonly { type: string; kind: string; namespace: string }[]) => events.map((e) => `${e.type} ${e.kind} ${e.namespace}`);

t.test('added, updated, deleted as the object was held; unchanged upserts and unknown deletes are no event', async (t) => {
  const store = createModelStore({ meshName: 'fsm' });
  let r = store.apply(up(ns('a'), service('a', 'web'), pod('a', 'web-1', { uuid: 'u1' })));
  t.same(brief(r.events), ['added Namespace ', 'added Service a', 'added Pod a'], 'in order; a cluster-scoped kind has namespace ""');
  t.equal(r.events[1]?.apiVersion, 'v1');

  r = store.apply(up(service('a', 'web'), service('a', 'web', { app: 'other' })));
  t.same(brief(r.events), ['updated Service a'], 'an upsert equal to the object held is no event');

  r = store.apply([...del(service('a', 'web')), ...del(service('a', 'never-seen'))]);
  t.same(brief(r.events), ['deleted Service a'], 'a delete of an object not held is no event');

  r = store.apply(up(split('a', 'bad', 'web', [['web-v1', -1]])));
  t.same(brief(r.events), ['added TrafficSplit a'], 'a refused upsert is still an event');
  t.equal(r.changes.length, 0);
  t.equal(r.events[0]?.apiVersion, 'split.smi-spec.io/v1alpha4');
});

t.test("objects of namespaces outside the mesh are not counted, except the kinds seen regardless; the batch's end decides", async (t) => {
  const store = createModelStore({ meshName: 'fsm', fsmNamespace: 'fsm-system' });
  let r = store.apply(up(ns('outside', {}), service('outside', 'x'), meshConfig({}), service('fsm-system', 'fsm-controller')));
  t.same(brief(r.events), ['added Namespace ', 'added MeshConfig fsm-system', 'added Service fsm-system'], 'the control plane kinds of the fsm namespace count');
  // A pod listed before its namespace in the same batch counts: the namespace is in the mesh once the batch is applied.
  r = store.apply(up(pod('b', 'p', { uuid: 'u2' }), ns('b')));
  t.same(brief(r.events), ['added Pod b', 'added Namespace ']);
});
