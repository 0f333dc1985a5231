import t from 'tap';
import { createKubernetesSource } from '../../../src/sources/kubernetes/kubernetes-source.js';
import { defaultKubernetesKinds } from '../../../src/sources/kubernetes/kinds.js';
import { createKubeApiStandIn } from '../../stand-ins/kube-api-server.js';
import { createRecorder, delay, namespaceKind, pod, podKind, until } from './fixtures/helpers.js';

const fast = { backoff: { initialMs: 50, maxMs: 400 }, watchTimeoutSeconds: 30 };

t.test('initial sync lists in pages, then ready; built-in list items get apiVersion/kind back', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  for (let i = 0; i < 25; i++) api.create(pod('bookstore', `p${String(i).padStart(2, '0')}`, `10.0.0.${i}`));
  api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bookstore', labels: { 'flomesh.io/monitored-by': 'fsm' } } });

  const source = createKubernetesSource({ kubeConfig: api.kubeConfig(), kinds: [podKind, namespaceKind], pageSize: 10, ...fast });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  await source.ready;

  t.equal(rec.objects.size, 26, 'every pod and the namespace arrived before ready');
  const lists = api.requests.filter((r) => r.path === '/api/v1/pods' && !r.watch);
  t.equal(lists.length, 3, '25 pods with limit=10 take three pages');
  t.same(lists.map((r) => r.query['limit']), ['10', '10', '10']);
  t.notOk(lists[0]?.query['continue'], 'first page has no continue token');
  t.ok(lists[1]?.query['continue'], 'second page continues');
  t.equal(lists[0]?.authorization, 'Bearer stand-in-token', 'kubeconfig credentials are sent');
  t.equal(rec.batches.find((b) => b[0]?.object.kind === 'Pod')?.length, 25, 'the initial list of a kind is one batch');

  const p = rec.objects.get('Pod/bookstore/p07');
  t.equal(p?.apiVersion, 'v1');
  t.equal(p?.kind, 'Pod');
  t.equal((p?.status as { podIP?: string }).podIP, '10.0.0.7');
  t.notOk(JSON.stringify(p).includes('image'), 'pod spec is trimmed to what generators read');
  t.ok(rec.objects.get('Namespace//bookstore'), 'cluster-scoped kinds are keyed without namespace');

  const st = source.status();
  t.same(st.map((s) => [s.kind, s.synced]), [['Pod', true], ['Namespace', true]]);
  await until('watches open', () => api.openWatches() === 2);
  const watch = api.requests.find((r) => r.watch && r.path === '/api/v1/pods');
  t.equal(watch?.query['allowWatchBookmarks'], 'true');
  t.equal(watch?.query['resourceVersion'], st[0]?.resourceVersion, 'watch starts at the list resourceVersion');
  t.equal(watch?.query['timeoutSeconds'], '30');
});

t.test('add, update and delete arrive through the watch; bookmarks advance the resourceVersion', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  api.create(pod('ns1', 'a', '10.0.0.1'));
  const source = createKubernetesSource({ kubeConfig: api.kubeConfig(), kinds: [podKind], ...fast });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  await source.ready;
  await until('watch open', () => api.openWatches() === 1);

  api.create(pod('ns1', 'b', '10.0.0.2'));
  await until('b added', () => rec.objects.has('Pod/ns1/b'));
  const a = api.get('v1', 'Pod', 'ns1', 'a');
  api.update({ ...a, status: { phase: 'Running', podIP: '10.0.0.99' } });
  await until('a updated', () => (rec.objects.get('Pod/ns1/a')?.status as { podIP?: string }).podIP === '10.0.0.99');
  api.delete('v1', 'Pod', 'ns1', 'b');
  await until('b deleted', () => !rec.objects.has('Pod/ns1/b'));
  const del = rec.events().at(-1);
  t.equal(del?.type, 'delete');
  t.equal(del?.object.metadata.name, 'b');

  // A change to another kind moves the global resourceVersion; the bookmark tells the pod watch.
  api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
  t.equal(api.bookmark(), 1, 'one bookmark-enabled watch');
  const expected = String(api.store.resourceVersion);
  await until('bookmark applied', () => source.status()[0]?.resourceVersion === expected);
  t.equal(rec.objects.size, 1, 'bookmarks emit nothing');
  t.equal(source.status()[0]?.restarts, 0, 'no reconnect was needed');
});

t.test('an exception thrown by the handler does not stop the watch', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const source = createKubernetesSource({ kubeConfig: api.kubeConfig(), kinds: [podKind], ...fast });
  t.teardown(() => source.close());
  const rec = createRecorder();
  let throws = 0;
  source.start({
    onEvents(events) {
      rec.onEvents(events);
      if (events.some((e) => e.object.metadata.name?.startsWith('bad'))) {
        throws++;
        throw new Error('handler bug');
      }
    },
  });
  await source.ready;
  await until('watch open', () => api.openWatches() === 1);
  api.create(pod('ns', 'bad-1', '10.0.0.1'));
  await until('bad-1 seen', () => rec.objects.has('Pod/ns/bad-1'));
  api.create(pod('ns', 'good-1', '10.0.0.2'));
  api.create(pod('ns', 'bad-2', '10.0.0.3'));
  api.create(pod('ns', 'good-2', '10.0.0.4'));
  await until('all four seen', () => rec.objects.size === 4);
  t.ok(throws >= 2, 'the handler threw at least twice');
  t.equal(source.status()[0]?.restarts, 0, 'the watch was not restarted');
  t.equal(api.requestCount({ watch: true }), 1, 'still the first watch');
});

const handles = () => {
  const info = process.getActiveResourcesInfo();
  return { sockets: info.filter((r) => r === 'TCPSocketWrap').length, timers: info.filter((r) => r === 'Timeout').length };
};

t.test('close() aborts watches and timers, leaves no handles and is idempotent', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const baseline = handles();
  const source = createKubernetesSource({ kubeConfig: api.kubeConfig(), kinds: [podKind, namespaceKind], ...fast });
  source.start(createRecorder());
  await source.ready;
  await until('watches open', () => api.openWatches() === 2);
  t.ok(handles().sockets >= baseline.sockets + 2, 'open watches hold sockets (the check below can fail)');
  await source.close();
  await source.close();
  await until('stand-in sees the watches closed', () => api.openWatches() === 0, 2000);
  t.same(source.status().map((s) => s.state), ['closed', 'closed']);
  const before = api.requests.length;
  await new Promise((r) => setTimeout(r, 200));
  t.equal(api.requests.length, before, 'no request after close');
  await until('sockets and timers back to the baseline', () => {
    const now = handles();
    return now.sockets <= baseline.sockets && now.timers <= baseline.timers;
  }, 2000);
  t.pass('no socket or timer left behind');
});

t.test('ready rejects when closed first; start twice throws', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  await api.down('unavailable');
  t.teardown(() => api.close());
  const source = createKubernetesSource({ kubeConfig: api.kubeConfig(), kinds: [podKind], ...fast });
  source.start(createRecorder());
  t.throws(() => source.start(createRecorder()), /twice/);
  await until('a failed attempt', () => api.requests.length > 0);
  await source.close();
  await t.rejects(source.ready, /closed before it was ready/);
});

t.test('a kind narrowed by namespace and selectors lists and watches only that', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const secret = (namespace: string, name: string, labels: Record<string, string>) =>
    api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels }, type: 'Opaque', data: { k: 'dg==' } });
  secret('fsm-system', 'mine', { role: 'ca' });
  secret('fsm-system', 'other-label', { role: 'x' });
  secret('elsewhere', 'same-label', { role: 'ca' });
  const source = createKubernetesSource({
    kubeConfig: api.kubeConfig(),
    kinds: [{ apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, namespace: 'fsm-system', labelSelector: 'role=ca' }],
    ...fast,
  });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  await source.ready;
  t.same([...rec.objects.keys()], ['Secret/fsm-system/mine']);
  t.same(rec.objects.get('Secret/fsm-system/mine')?.['data'], { k: 'dg==' }, 'Secret data is kept');
  await until('watch open', () => api.openWatches() === 1);
  const w = api.requests.find((r) => r.watch);
  t.equal(w?.path, '/api/v1/namespaces/fsm-system/secrets');
  t.equal(w?.query['labelSelector'], 'role=ca');
  secret('elsewhere', 'later', { role: 'ca' });
  secret('fsm-system', 'later', { role: 'ca' });
  await until('the matching secret arrives', () => rec.objects.has('Secret/fsm-system/later'));
  t.notOk(rec.objects.has('Secret/elsewhere/later'));
});

t.test('every default kind watched at once puts no MaxListenersExceededWarning on the process', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  const source = createKubernetesSource({ kubeConfig: api.kubeConfig(), unavailableRetryMs: 50, backoff: { initialMs: 20, maxMs: 50 } });
  t.ok(defaultKubernetesKinds.length > 11, `${defaultKubernetesKinds.length} kinds, more than EventTarget's default listener limit`);
  const rec = createRecorder();
  source.start(rec);
  await source.ready;
  // Loops of unserved CRD kinds sleep and retry; let several rounds of requests and sleeps pass.
  await until('several retries of unavailable kinds', () => source.status().filter((s) => s.state === 'unavailable').length > 0 && api.requests.length > 3 * defaultKubernetesKinds.length);
  await source.close();
  await delay(20);
  t.same(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
});
