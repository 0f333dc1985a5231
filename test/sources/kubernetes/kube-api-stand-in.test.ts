import https from 'node:https';
import t, { type Test } from 'tap';
import {
  AdmissionregistrationV1Api,
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  V1MicroTime,
} from '@kubernetes/client-node';
import { createTestPki } from '../../server/pipy-repo/fixtures/test-pki.js';
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
  t.equal(
    await failedWith(core.patchNamespacedSecret({ namespace: 'fsm-system', name: 's1', body: [{ op: 'test', path: '/metadata/labels/x', value: 'z' }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch))),
    422,
    'a failed json patch test is 422',
  );
  t.equal(await failedWith(core.deleteNamespacedSecret({ namespace: 'fsm-system', name: 's1', body: { preconditions: { uid: 'not-its-uid' } } })), 409, 'a delete whose uid precondition fails conflicts');

  t.equal(await failedWith(core.replaceNamespacedSecret({ namespace: 'fsm-system', name: 's1', body: { ...read, data: {} } })), 409, 'replace with a stale resourceVersion conflicts');
  await core.deleteNamespacedSecret({ namespace: 'fsm-system', name: 's1', body: { preconditions: { uid: jsonPatched.metadata?.uid } } });
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

t.test('CoordinationV1Api: Leases with optimistic concurrency (a stale resourceVersion is 409)', async (t) => {
  const api = await started(t);
  const coordination = api.kubeConfig().makeApiClient(CoordinationV1Api);
  const lease = await coordination.createNamespacedLease({
    namespace: 'fsm-system',
    body: { metadata: { name: 'fsm-controller' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: new V1MicroTime(), leaseTransitions: 0 } },
  });
  t.equal(lease.spec?.holderIdentity, 'a');
  const renewed = await coordination.replaceNamespacedLease({ namespace: 'fsm-system', name: 'fsm-controller', body: { ...lease, spec: { ...lease.spec, renewTime: new V1MicroTime() } } });
  t.not(renewed.metadata?.resourceVersion, lease.metadata?.resourceVersion);
  t.equal(await failedWith(coordination.replaceNamespacedLease({ namespace: 'fsm-system', name: 'fsm-controller', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'b' } } })), 409, 'a writer holding an old copy loses');
  const read = await coordination.readNamespacedLease({ namespace: 'fsm-system', name: 'fsm-controller' });
  t.equal(read.spec?.holderIdentity, 'a');
});

t.test('mutating admission: a MutatingWebhookConfiguration made with client-node patches pods created through the API', async (t) => {
  const pki = await createTestPki();
  const serving = await pki.client('hook.fsm-system.svc');
  const reviews: { request?: { uid?: string; namespace?: string; dryRun?: boolean; object?: { metadata?: { name?: string } } } }[] = [];
  const hook = https.createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof reviews)[number];
      reviews.push(review);
      const patch = [{ op: 'add', path: '/metadata/labels', value: { injected: 'yes' } }];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request?.uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') } }));
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => hook.close(() => r())));
  const port = (hook.address() as { port: number }).port;
  const api = await started(t, { resolveWebhookService: (svc) => (svc.name === 'hook' ? `https://127.0.0.1:${port}` : undefined) });
  const kc = api.kubeConfig();
  await kc.makeApiClient(AdmissionregistrationV1Api).createMutatingWebhookConfiguration({
    body: {
      metadata: { name: 'inject' },
      webhooks: [
        {
          name: 'inject.example.com',
          clientConfig: { service: { namespace: 'fsm-system', name: 'hook', path: '/mutate', port: 443 }, caBundle: Buffer.from(pki.caPem).toString('base64') },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
          namespaceSelector: { matchLabels: { mesh: 'on' } },
          sideEffects: 'NoneOnDryRun',
          admissionReviewVersions: ['v1'],
        },
      ],
    },
  });
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'meshed', labels: { mesh: 'on' } } } });
  await core.createNamespace({ body: { metadata: { name: 'plain' } } });
  const podBody = { metadata: { generateName: 'app-' }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
  const meshed = await core.createNamespacedPod({ namespace: 'meshed', body: podBody });
  t.same(meshed.metadata?.labels, { injected: 'yes' }, 'the patch was applied before the pod was stored');
  t.match(meshed.metadata?.name, /^app-/);
  t.equal(reviews[0]?.request?.namespace, 'meshed');
  t.equal(reviews[0]?.request?.object?.metadata?.name, undefined, 'the webhook sees the pod before its name is generated');
  const plain = await core.createNamespacedPod({ namespace: 'plain', body: podBody });
  t.equal(plain.metadata?.labels, undefined, 'the namespaceSelector leaves other namespaces alone');
  const dry = await core.createNamespacedPod({ namespace: 'meshed', body: podBody, dryRun: 'All' });
  t.same(dry.metadata?.labels, { injected: 'yes' });
  t.equal(reviews.at(-1)?.request?.dryRun, true, 'the webhook is told about dry runs');
  t.equal(api.list('v1', 'Pod', 'meshed').length, 1, 'a dry run stores nothing');

  await new Promise<void>((r) => hook.close(() => r()));
  t.equal(await failedWith(core.createNamespacedPod({ namespace: 'meshed', body: podBody })), 500, 'failurePolicy Fail: an unreachable webhook refuses the pod');
  t.same(api.admissionCalls.map((c) => [c.allowed, c.patched, c.dryRun, c.error === undefined]), [[true, true, false, true], [true, true, true, true], [undefined, false, false, false]]);
});

t.test('the garbage collector deletes objects whose owner was deleted', async (t) => {
  const api = await started(t);
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  const owner = await core.createNamespacedPod({ namespace: 'ns', body: { metadata: { name: 'owner' }, spec: { containers: [] } } });
  await core.createNamespacedSecret({
    namespace: 'ns',
    body: { metadata: { name: 'owned', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'owner', uid: owner.metadata?.uid ?? '' }] } },
  });
  await core.createNamespacedSecret({ namespace: 'ns', body: { metadata: { name: 'unowned' } } });
  await core.deleteNamespacedPod({ namespace: 'ns', name: 'owner' });
  await until('dependent collected', () => api.get('v1', 'Secret', 'ns', 'owned') === undefined);
  t.ok(api.get('v1', 'Secret', 'ns', 'unowned'), 'other objects stay');
});

t.test('a partitioned client cannot reach the API server; others can', async (t) => {
  const api = await started(t);
  const cut = api.kubeConfig({ token: 'replica-a' }).makeApiClient(CoreV1Api);
  const fine = api.kubeConfig({ token: 'replica-b' }).makeApiClient(CoreV1Api);
  api.partition('replica-a', true);
  t.equal(await failedWith(cut.listNamespace()), -1, 'partitioned: a network error, not an HTTP status');
  t.ok(await fine.listNamespace());
  api.partition('replica-a', false);
  t.ok(await cut.listNamespace(), 'healed');
});
