import t from 'tap';
import { createKubernetesSource } from '../../../src/sources/kubernetes/kubernetes-source.js';
import { builtinResources, createKubeApiStandIn } from '../../stand-ins/kube-api-server.js';
import { createRecorder, delay, pod, podKind, trafficSplitKind, until } from './fixtures/helpers.js';

for (const expiredWatch of ['error-event', 'http-status'] as const) {
  t.test(`410 Gone (${expiredWatch}) leads to a relist that deletes vanished objects`, async (t) => {
    const api = createKubeApiStandIn({ expiredWatch });
    await api.start();
    t.teardown(() => api.close());
    for (const name of ['a', 'b', 'c']) api.create(pod('ns', name, '10.0.0.1'));
    const source = createKubernetesSource({
      kubeConfig: api.kubeConfig(),
      kinds: [podKind],
      backoff: { initialMs: 50, maxMs: 200 },
      watchTimeoutSeconds: 30,
    });
    t.teardown(() => source.close());
    const rec = createRecorder();
    source.start(rec);
    await source.ready;
    await until('watch open', () => api.openWatches() === 1);

    // The source misses these changes (silent watch), then history is compacted past them.
    api.freezeWatches();
    api.delete('v1', 'Pod', 'ns', 'a');
    api.update({ ...api.get('v1', 'Pod', 'ns', 'b'), status: { podIP: '10.0.0.22' } });
    api.create(pod('ns', 'd', '10.0.0.4'));
    api.compact();
    const batchesBefore = rec.batches.length;
    api.dropWatches();

    await until('relisted', () => source.status()[0]?.relists === 1);
    t.same([...rec.objects.keys()].sort(), ['Pod/ns/b', 'Pod/ns/c', 'Pod/ns/d'], 'model matches the server again');
    const relist = rec.batches.slice(batchesBefore).flat();
    t.same(
      relist.map((e) => `${e.type} ${e.object.metadata.name}`).sort(),
      ['delete a', 'upsert b', 'upsert d'],
      'one delete for the vanished object, upserts only for changed or new ones',
    );
    const deleted = relist.find((e) => e.type === 'delete');
    t.same(deleted?.object, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'ns' } });
    t.equal((rec.objects.get('Pod/ns/b')?.status as { podIP?: string }).podIP, '10.0.0.22');

    // After the relist the watch goes on from the new list resourceVersion.
    await until('new watch open', () => api.openWatches() === 1);
    api.create(pod('ns', 'e', '10.0.0.5'));
    await until('e via watch', () => rec.objects.has('Pod/ns/e'));
    t.equal(api.requestCount({ path: '/api/v1/pods', watch: false }), 2, 'exactly one relist');
  });
}

t.test('a continue token expired between two pages restarts the list from scratch', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  for (let i = 0; i < 25; i++) api.create(pod('ns', `p${String(i).padStart(2, '0')}`, '10.0.0.1'));
  let compacted = false;
  api.onRequest((r) => {
    if (r.query['continue'] && !compacted) {
      compacted = true;
      api.delete('v1', 'Pod', 'ns', 'p00');
      api.create(pod('ns', 'late', '10.0.0.2'));
      api.compact();
    }
  });
  const source = createKubernetesSource({ kubeConfig: api.kubeConfig(), kinds: [podKind], pageSize: 10, backoff: { initialMs: 50, maxMs: 200 }, watchTimeoutSeconds: 30 });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  await source.ready;
  t.equal(compacted, true);
  t.equal(rec.objects.size, 25, 'the state after the change, from one consistent list');
  t.ok(rec.objects.has('Pod/ns/late'));
  t.notOk(rec.objects.has('Pod/ns/p00'), 'the object deleted meanwhile never reached the model');
  t.equal(rec.batches.length, 1, 'the expired first attempt emitted nothing');
  const lists = api.requests.filter((r) => !r.watch);
  t.same(lists.map((r) => Boolean(r.query['continue'])), [false, true, false, true, true], 'page 2 got 410, then three fresh pages');
});

t.test('a silent watch is abandoned after the inactivity timeout and catches up from its resourceVersion', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  api.create(pod('ns', 'a', '10.0.0.1'));
  const source = createKubernetesSource({
    kubeConfig: api.kubeConfig(),
    kinds: [podKind],
    watchInactivityTimeoutMs: 300,
    watchTimeoutSeconds: 30,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  await source.ready;
  await until('watch open', () => api.openWatches() === 1);
  const rvBefore = source.status()[0]?.resourceVersion;

  t.equal(api.freezeWatches(), 1);
  api.create(pod('ns', 'missed', '10.0.0.2'));
  await delay(100);
  t.notOk(rec.objects.has('Pod/ns/missed'), 'the frozen connection delivers nothing');

  await until('caught up after reconnect', () => rec.objects.has('Pod/ns/missed'), 5000);
  const watches = api.requests.filter((r) => r.watch);
  t.ok(watches.length >= 2, 'a second watch was opened');
  t.equal(watches[1]?.query['resourceVersion'], rvBefore, 'the new watch resumes where the silent one stopped');
  t.equal(api.requestCount({ watch: false }), 1, 'no relist was needed');
  t.ok((source.status()[0]?.restarts ?? 0) >= 1);
  t.equal(source.status()[0]?.relists, 0);
});

t.test('bookmarks keep a quiet watch alive; a silent LIST is abandoned and retried', async (t) => {
  const api = createKubeApiStandIn({ bookmarkIntervalMs: 100 });
  await api.start();
  t.teardown(() => api.close());
  api.silence(true);
  const source = createKubernetesSource({
    kubeConfig: api.kubeConfig(),
    kinds: [podKind],
    watchInactivityTimeoutMs: 400,
    watchTimeoutSeconds: 30,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  let ready = false;
  void source.ready.then(() => (ready = true));
  await until('two LIST attempts', () => api.requestCount({ watch: false }) >= 2, 5000);
  t.equal(ready, false, 'not ready while the server is silent');
  t.match(rec.problems.get('kubernetes:v1/Pod')?.[0]?.reason, /no data from the API server/, 'a silent LIST is reported');
  api.silence(false);
  api.create(pod('ns', 'a', '10.0.0.1'));
  await source.ready;
  t.ok(rec.objects.has('Pod/ns/a'));
  t.notOk(rec.problems.has('kubernetes:v1/Pod'), 'the problem is cleared by the successful list');

  await until('watch open', () => api.openWatches() === 1);
  const restarts = source.status()[0]?.restarts;
  await delay(1200);
  t.equal(source.status()[0]?.restarts, restarts, 'no reconnect in 3 inactivity periods: bookmarks count as activity');
  t.equal(api.requestCount({ watch: true }), 1);
});

t.test('a watch ended by the server (timeoutSeconds) is reopened from its resourceVersion without a relist', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  api.create(pod('ns', 'a', '10.0.0.1'));
  const source = createKubernetesSource({
    kubeConfig: api.kubeConfig(),
    kinds: [podKind],
    watchTimeoutSeconds: 1,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  await source.ready;
  await until('first watch open', () => api.openWatches() === 1);
  api.create(pod('ns', 'b', '10.0.0.2'));
  await until('b via the first watch', () => rec.objects.has('Pod/ns/b'));
  const rv = source.status()[0]?.resourceVersion;
  await until('second watch', () => api.requestCount({ watch: true }) >= 2, 4000);
  const second = api.requests.filter((r) => r.watch)[1];
  t.equal(second?.query['resourceVersion'], rv, 'the next watch starts after the last event seen');
  t.equal(api.requestCount({ watch: false }), 1, 'no relist');

  // Ending watches right after they open makes every watch "quick": reconnects are then paced by the backoff.
  const before = api.requestCount({ watch: true });
  const timer = setInterval(() => api.endWatches(), 5);
  await delay(1000);
  clearInterval(timer);
  const reopened = api.requestCount({ watch: true }) - before;
  t.ok(reopened >= 2 && reopened <= 15, `watches ended at once are reopened with backoff (${reopened} in 1 s)`);
  api.create(pod('ns', 'c', '10.0.0.3'));
  await until('c after the churn', () => rec.objects.has('Pod/ns/c'), 4000);
});

t.test('server down: retries back off (counted over a window), then the watch resumes', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const source = createKubernetesSource({
    kubeConfig: api.kubeConfig(),
    kinds: [podKind],
    backoff: { initialMs: 100, maxMs: 400 },
    watchTimeoutSeconds: 30,
  });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  await source.ready;
  await until('watch open', () => api.openWatches() === 1);

  await api.down('reset');
  const before = api.connectionCount;
  await delay(2000);
  const attempts = api.connectionCount - before;
  // Delays are 50-100, 100-200, 200-400, then 200-400 ms: about 6 to 11 attempts in 2 s. A tight loop makes thousands.
  t.ok(attempts >= 3, `retried while down (${attempts} attempts in 2 s)`);
  t.ok(attempts <= 15, `no tight loop (${attempts} attempts in 2 s)`);
  t.ok(rec.problems.has('kubernetes:v1/Pod'), 'the failure is reported as a problem');
  t.ok(source.status()[0]?.error, 'and shown in status()');

  // Connection refused, then the server comes back; changes made meanwhile are caught up.
  await api.down('refuse');
  await delay(300);
  await api.up();
  api.create(pod('ns', 'after', '10.0.0.9'));
  await until('caught up after the outage', () => rec.objects.has('Pod/ns/after'), 5000);
  await until('problem cleared', () => !rec.problems.has('kubernetes:v1/Pod'));
  t.equal(source.status()[0]?.error, undefined, 'error cleared after success');
  t.equal(source.status()[0]?.state, 'watching');
});

t.test('a kind whose CRD is missing is reported unavailable, does not block ready, and is picked up later', async (t) => {
  const api = createKubeApiStandIn({ resources: builtinResources });
  await api.start();
  t.teardown(() => api.close());
  api.create(pod('ns', 'a', '10.0.0.1'));
  const source = createKubernetesSource({
    kubeConfig: api.kubeConfig(),
    kinds: [podKind, trafficSplitKind],
    unavailableRetryMs: 300,
    backoff: { initialMs: 50, maxMs: 200 },
    watchTimeoutSeconds: 30,
  });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  await source.ready;
  const scope = 'kubernetes:split.smi-spec.io/v1alpha4/TrafficSplit';
  t.equal(source.status()[1]?.state, 'unavailable');
  t.match(rec.problems.get(scope)?.[0]?.reason, /TrafficSplit: not served by the API server/);
  t.ok(rec.objects.has('Pod/ns/a'), 'the other kinds go on');

  const splitPath = '/apis/split.smi-spec.io/v1alpha4/trafficsplits';
  const before = api.requestCount({ path: splitPath });
  await delay(1000);
  const retries = api.requestCount({ path: splitPath }) - before;
  t.ok(retries >= 1 && retries <= 5, `retried slowly (${retries} in 1 s at a 300 ms interval)`);
  t.equal(rec.problems.get(scope)?.length, 1, 'reported once, not once per retry');

  api.addResource({ apiVersion: trafficSplitKind.apiVersion, kind: 'TrafficSplit', plural: 'trafficsplits', namespaced: true });
  api.create({
    apiVersion: 'split.smi-spec.io/v1alpha4',
    kind: 'TrafficSplit',
    metadata: { name: 'bookstore', namespace: 'ns' },
    spec: { service: 'bookstore', backends: [{ service: 'bookstore-v1', weight: 100 }] },
  });
  await until('split listed', () => rec.objects.has('TrafficSplit/ns/bookstore'), 5000);
  await until('problem cleared', () => !rec.problems.has(scope));
  t.equal(rec.objects.get('TrafficSplit/ns/bookstore')?.apiVersion, 'split.smi-spec.io/v1alpha4');

  // Uninstalling the CRD removes its objects from the model and makes the kind unavailable again.
  api.removeResource('split.smi-spec.io/v1alpha4', 'TrafficSplit');
  await until('split gone', () => !rec.objects.has('TrafficSplit/ns/bookstore'), 5000);
  await until('unavailable again', () => source.status()[1]?.state === 'unavailable');
  t.ok(rec.problems.has(scope));
  api.create(pod('ns', 'b', '10.0.0.2'));
  await until('pods still flow', () => rec.objects.has('Pod/ns/b'));
});
