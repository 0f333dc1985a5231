import t from 'tap';
import { createBootstrapCollector } from '../../src/injector/bootstrap-collector.js';
import { createKubeClient } from '../../src/kubernetes/kube-client.js';
import { createKubeApiStandIn } from '../stand-ins/kube-api-server.js';
import { waitFor } from '../support/wait-for.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

t.test('pending records: adopted by their pod (owner reference), collected when the pod never came', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const client = createKubeClient({ kubeConfig: api.kubeConfig() });
  const pods = new Map<string, { name: string; uid: string }>();
  let now = Date.now();
  const collector = createBootstrapCollector({ client, fsmNamespace: 'fsm-system', meshName: 'fsm', graceMs: 60_000, now: () => now, findPod: async (_ns, uuid) => pods.get(uuid) });
  for (const uuid of ['u1', 'u2', 'u3']) {
    await collector.record('shop', uuid);
    api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `sidecar-bootstrap-config-${uuid}`, namespace: 'shop' } });
  }
  api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fsm-bootstrap-other-mesh', namespace: 'fsm-system', labels: { 'flomesh.io/bootstrap-pending': 'true', 'app.kubernetes.io/instance': 'osm' } }, data: { namespace: 'shop', uuid: 'x' } });
  const pod = api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bookstore-1', namespace: 'shop', labels: { 'fsm-proxy-uuid': 'u1' } } });
  pods.set('u1', { name: 'bookstore-1', uid: pod.metadata.uid ?? '' });

  const signal = new AbortController().signal;
  t.same(await collector.sweep(signal), { adopted: 1, collected: 0, pending: 2 });
  const owned = api.get('v1', 'Secret', 'shop', 'sidecar-bootstrap-config-u1') as Json;
  t.same(owned.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Pod', name: 'bookstore-1', uid: pod.metadata.uid }]);
  t.equal(api.get('v1', 'ConfigMap', 'fsm-system', 'fsm-bootstrap-u1'), undefined, 'the record of an adopted Secret is gone');

  now += 61_000;
  t.same(await collector.sweep(signal), { adopted: 0, collected: 2, pending: 0 });
  t.equal(api.get('v1', 'Secret', 'shop', 'sidecar-bootstrap-config-u2'), undefined, 'a Secret whose pod never appeared is deleted after the grace time');
  t.equal(api.get('v1', 'Secret', 'shop', 'sidecar-bootstrap-config-u3'), undefined);
  t.ok(api.get('v1', 'ConfigMap', 'fsm-system', 'fsm-bootstrap-other-mesh'), "another mesh's records are not touched");

  api.delete('v1', 'Pod', 'shop', 'bookstore-1');
  await waitFor('the cluster collects the Secret with its pod', () => api.get('v1', 'Secret', 'shop', 'sidecar-bootstrap-config-u1') === undefined);
});

t.test('an aborted sweep (leadership lost) stops writing', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const client = createKubeClient({ kubeConfig: api.kubeConfig() });
  const leadership = new AbortController();
  const collector = createBootstrapCollector({
    client,
    fsmNamespace: 'fsm-system',
    meshName: 'fsm',
    graceMs: 0,
    findPod: async () => {
      leadership.abort();
      return undefined;
    },
  });
  await collector.record('shop', 'u1');
  await collector.record('shop', 'u2');
  const deletes = api.requestCount({ method: 'DELETE' });
  await collector.sweep(leadership.signal);
  t.equal(api.requestCount({ method: 'DELETE' }), deletes, 'nothing deleted once leadership is gone');
  t.equal(api.list('v1', 'ConfigMap', 'fsm-system').length, 2);
});
