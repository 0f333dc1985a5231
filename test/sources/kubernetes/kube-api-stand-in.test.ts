import t, { type Test } from 'tap';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { builtinResources, createKubeApiStandIn, type KubeApiStandIn } from '../../stand-ins/kube-api-server.js';
import { until } from './fixtures/helpers.js';

// The stand-in is shared test infrastructure: these tests pin its wire behaviour with the real client-node.

async function started(t: Test, options: Parameters<typeof createKubeApiStandIn>[0] = {}): Promise<KubeApiStandIn> {
  const api = createKubeApiStandIn(options);
  await api.start();
  t.teardown(() => api.close());
  return api;
}

/** The HTTP status a client-node call failed with (-1 if it did not fail with an ApiException). */
const failedWith = (p: Promise<unknown>): Promise<number> =>
  p.then(
    () => -1,
    (err: unknown) => (err instanceof ApiException ? err.code : -1),
  );

t.test('CoreV1Api: create, 409 AlreadyExists, get, paged list, merge patch, stale replace, delete, 404', async (t) => {
  const api = await started(t);
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  const body = { metadata: { name: 's1' }, type: 'Opaque', data: { a: 'YQ==' } };
  const created = await core.createNamespacedSecret({ namespace: 'fsm-system', body });
  t.equal(created.metadata?.namespace, 'fsm-system');
  t.ok(created.metadata?.resourceVersion);
  t.equal(await failedWith(core.createNamespacedSecret({ namespace: 'fsm-system', body })), 409);
  await core.createNamespacedSecret({ namespace: 'fsm-system', body: { metadata: { name: 's2' } } });
  await core.createNamespacedSecret({ namespace: 'fsm-system', body: { metadata: { name: 's3' } } });

  const read = await core.readNamespacedSecret({ namespace: 'fsm-system', name: 's1' });
  t.same(read.data, { a: 'YQ==' });

  const page1 = await core.listNamespacedSecret({ namespace: 'fsm-system', limit: 2 });
  t.same(page1.items.map((s) => s.metadata?.name), ['s1', 's2']);
  t.equal(page1.metadata?.remainingItemCount, 1);
  const page2 = await core.listNamespacedSecret({ namespace: 'fsm-system', limit: 2, _continue: page1.metadata?._continue ?? '' });
  t.same(page2.items.map((s) => s.metadata?.name), ['s3']);
  t.equal(page2.metadata?._continue, undefined);
  t.equal(page2.metadata?.resourceVersion, page1.metadata?.resourceVersion, 'pages share the snapshot resourceVersion');

  const patched = await core.patchNamespacedSecret(
    { namespace: 'fsm-system', name: 's1', body: { metadata: { labels: { x: 'y' } }, data: { b: 'Yg==' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  t.same(patched.data, { a: 'YQ==', b: 'Yg==' });
  t.same(patched.metadata?.labels, { x: 'y' });
  const jsonPatched = await core.patchNamespacedSecret(
    { namespace: 'fsm-system', name: 's1', body: [{ op: 'remove', path: '/data/a' }] },
    setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
  );
  t.same(jsonPatched.data, { b: 'Yg==' });

  t.equal(await failedWith(core.replaceNamespacedSecret({ namespace: 'fsm-system', name: 's1', body: { ...read, data: {} } })), 409, 'replace with a stale resourceVersion conflicts');
  await core.deleteNamespacedSecret({ namespace: 'fsm-system', name: 's1' });
  t.equal(await failedWith(core.readNamespacedSecret({ namespace: 'fsm-system', name: 's1' })), 404);
  t.equal(api.requestCount({ method: 'POST' }), 4);
});

t.test('a continue token older than a compaction answers 410 Expired', async (t) => {
  const api = await started(t);
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  for (const name of ['a', 'b', 'c']) api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'd' } });
  const page1 = await core.listConfigMapForAllNamespaces({ limit: 1 });
  api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'z', namespace: 'd' } });
  api.compact();
  t.equal(await failedWith(core.listConfigMapForAllNamespaces({ limit: 1, _continue: page1.metadata?._continue ?? '' })), 410);
});

const certificateRequests = { apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', plural: 'certificaterequests', namespaced: true };

t.test('CustomObjectsApi with an onCreate hook and the status subresource; unknown types answer 404', async (t) => {
  const api = await started(t, { resources: [...builtinResources, certificateRequests] });
  const custom = api.kubeConfig().makeApiClient(CustomObjectsApi);
  api.onCreate(certificateRequests, (obj) => ({ ...obj, status: { conditions: [{ type: 'Ready', status: 'False' }] } }));
  const created = (await custom.createNamespacedCustomObject({
    group: 'cert-manager.io',
    version: 'v1',
    namespace: 'fsm-system',
    plural: 'certificaterequests',
    body: { apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', metadata: { name: 'cr1' }, spec: { request: 'LS0t' } },
  })) as { status?: unknown };
  t.same(created.status, { conditions: [{ type: 'Ready', status: 'False' }] }, 'the hook set the status');

  api.setStatus('cert-manager.io/v1', 'CertificateRequest', 'fsm-system', 'cr1', { certificate: 'Y2VydA==', conditions: [{ type: 'Ready', status: 'True' }] });
  const read = (await custom.getNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', namespace: 'fsm-system', plural: 'certificaterequests', name: 'cr1' })) as {
    status?: { certificate?: string };
    spec?: unknown;
  };
  t.equal(read.status?.certificate, 'Y2VydA==');
  t.same(read.spec, { request: 'LS0t' });

  const viaStatus = (await custom.patchNamespacedCustomObjectStatus(
    { group: 'cert-manager.io', version: 'v1', namespace: 'fsm-system', plural: 'certificaterequests', name: 'cr1', body: { status: { failureTime: 'x' }, spec: { request: 'changed' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as { status?: { failureTime?: string }; spec?: unknown };
  t.equal(viaStatus.status?.failureTime, 'x');
  t.same(viaStatus.spec, { request: 'LS0t' }, 'the status subresource ignores spec');

  // Replacing the status is conditional on the resourceVersion sent, as on a real server.
  const where = { group: 'cert-manager.io', version: 'v1', namespace: 'fsm-system', plural: 'certificaterequests', name: 'cr1' };
  const seen = (await custom.getNamespacedCustomObjectStatus(where)) as { metadata: { resourceVersion: string }; status: Record<string, unknown> };
  const replaced = (await custom.replaceNamespacedCustomObjectStatus({ ...where, body: { ...seen, status: { ...seen.status, failureTime: 'y' } } })) as { status?: { failureTime?: string }; metadata: { resourceVersion: string } };
  t.equal(replaced.status?.failureTime, 'y');
  t.not(replaced.metadata.resourceVersion, seen.metadata.resourceVersion);
  t.equal(await failedWith(custom.replaceNamespacedCustomObjectStatus({ ...where, body: { ...seen, status: { failureTime: 'stale' } } })), 409, 'a stale status replace is a Conflict');

  t.equal(await failedWith(custom.listNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha4', namespace: 'ns', plural: 'trafficsplits' })), 404);
});

t.test('KubernetesObjectApi resolves plurals through discovery', async (t) => {
  const api = await started(t, { resources: [...builtinResources, certificateRequests] });
  const objects = KubernetesObjectApi.makeApiClient(api.kubeConfig());
  await objects.create({ apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', metadata: { name: 'cr', namespace: 'ns' } });
  const read = await objects.read({ apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', metadata: { name: 'cr', namespace: 'ns' } });
  t.equal(read.metadata?.name, 'cr');
  t.ok(api.requestCount({ path: '/apis/cert-manager.io/v1' }) >= 1, 'discovery was asked');
});

t.test('client-node Watch: replay from resourceVersion, live events, bookmarks, timeoutSeconds, 410 as an ERROR event', async (t) => {
  const api = await started(t);
  const kc = api.kubeConfig();
  const a = api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'ns' } });
  api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'ns' } });
  const seen: string[] = [];
  let ended = false;
  const controller = await new Watch(kc).watch(
    '/api/v1/namespaces/ns/pods',
    { resourceVersion: a.metadata.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 1 },
    (type, obj: { kind?: string; metadata?: { name?: string } }) => seen.push(`${type} ${obj.kind} ${obj.metadata?.name ?? ''}`),
    () => (ended = true),
  );
  t.teardown(() => controller.abort());
  await until('replayed b', () => seen.includes('ADDED Pod b'));
  t.notOk(seen.includes('ADDED Pod a'), 'events up to the given resourceVersion are not replayed');
  api.delete('v1', 'Pod', 'ns', 'a');
  api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c', namespace: 'other' } });
  t.equal(api.bookmark(), 1);
  await until('delete and bookmark', () => seen.includes('DELETED Pod a') && seen.includes('BOOKMARK Pod '));
  t.notOk(seen.some((s) => s.endsWith(' c')), 'a namespaced watch only sees its namespace');
  await until('server-side timeout ends the watch', () => ended, 3000);

  api.compact();
  const errors: { code?: number; reason?: string }[] = [];
  let expiredEnded = false;
  const c2 = await new Watch(kc).watch(
    '/api/v1/pods',
    { resourceVersion: a.metadata.resourceVersion },
    (type, obj: { code?: number; reason?: string }) => type === 'ERROR' && errors.push(obj),
    () => (expiredEnded = true),
  );
  t.teardown(() => c2.abort());
  await until('410 delivered', () => errors.length === 1 && expiredEnded);
  t.equal(errors[0]?.code, 410);
  t.equal(errors[0]?.reason, 'Expired');
});
