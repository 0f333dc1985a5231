import t from 'tap';
import { createPipyFetcher } from '../support/pipy-fetcher.js';
import { httpsGet } from '../support/https-get.js';
import { waitFor } from '../support/wait-for.js';
import { deployment, deploymentPod, meshedNamespace, startCluster } from './fixtures/kubernetes-cluster.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// The "Must show": a Deployment's pod is admitted, patched, gets its bootstrap Secret, and
// a Pipy-like fetcher holding that Secret's certificate loads its codebase over TLS but is refused
// another proxy's; deleting the pod collects its Secret. All on the Kubernetes API stand-in, which
// calls the injector as a real API server does.

const secretFile = (secret: Json, key: string) => Buffer.from(secret['data'][key], 'base64').toString('utf8');

t.test('admission → patch → bootstrap Secret → TLS fetch of its own codebase only → pod deleted, Secret collected', async (t) => {
  const cluster = await startCluster(t);
  const { api } = cluster;
  api.create(meshedNamespace('bookstore'));
  api.create(meshedNamespace('bookbuyer'));
  const replica = await cluster.startReplica('replica-a');
  await waitFor('the leader created the webhook configuration', () =>
    api.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration').length === 1,
  );
  const mwc = api.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration')[0] as Json;
  t.equal(mwc['metadata']['name'], 'fsm-controller-webhook-fsm');

  // The ReplicaSet controller creates the pods; the API server sends each to the webhook.
  const store = await cluster.createPod('bookstore', deploymentPod('bookstore', deployment(api, 'bookstore', 'bookstore-v1')));
  const buyer = await cluster.createPod('bookbuyer', deploymentPod('bookbuyer', deployment(api, 'bookbuyer', 'bookbuyer')));
  t.same(api.admissionCalls.map((c) => [c.allowed, c.patched]), [[true, true], [true, true]], 'both admitted and patched by the webhook');
  const uuid = store.metadata.labels['fsm-proxy-uuid'] ?? '';
  t.match(uuid, /^[0-9a-f-]{36}$/, 'the stored pod carries its uuid label');
  t.same(store.spec.containers.map((c) => c.name), ['sidecar', 'bookstore']);
  const sidecarUrl = store.spec.containers[0]?.args?.at(-1) ?? '';
  const cn = `${uuid}.sidecar.bookstore.bookstore`;
  t.equal(sidecarUrl, `https://fsm-controller.fsm-system:6060/repo/fsm-sidecar/${cn}/`);

  const secret = api.get('v1', 'Secret', 'bookstore', `sidecar-bootstrap-config-${uuid}`) as Json | undefined;
  t.ok(secret, 'the bootstrap Secret appeared');
  cluster.podRunning('bookstore', store.metadata.name, '10.0.1.10');
  cluster.podRunning('bookbuyer', buyer.metadata.name, '10.0.2.10');
  await waitFor('configs generated for both proxies', () => replica.controller.store.proxies().length === 2 && replica.controller.isReady());

  // Pipy as the injected sidecar runs it: the codebase URL of its args, the files of its Secret.
  const url = new URL(sidecarUrl);
  const tls = { key: secretFile(secret ?? {}, 'repo_key.pem'), cert: secretFile(secret ?? {}, 'repo_cert.pem'), ca: secretFile(secret ?? {}, 'cacert.pem'), servername: url.hostname };
  const fetcher = createPipyFetcher({ url: `https://127.0.0.1:${replica.ports.repo}${url.pathname}`, tls, intervalMs: 200 });
  t.teardown(() => fetcher.close());
  await fetcher.start();
  const config = JSON.parse(fetcher.files.get('/config.json')?.toString() ?? '{}') as Json;
  t.equal(config['Spec']['ServiceIdentity'], 'bookstore.bookstore', 'its own config, over TLS with the bootstrap certificate');
  t.same(config['Spec']['Probes']['ReadinessProbes'][0]['httpGet']['port'], 15902, 'the probe as injected, read once');
  t.equal(config['Spec']['Probes']['ReadinessProbes'][0]['httpGet']['httpHeaders'].filter((h: Json) => h['name'] === 'Original-Http-Port').length, 1);

  const buyerCn = `${buyer.metadata.labels['fsm-proxy-uuid']}.sidecar.bookbuyer.bookbuyer`;
  t.equal(await httpsGet(`https://127.0.0.1:${replica.ports.repo}/repo/fsm-sidecar/${buyerCn}/`, tls), 403, "another proxy's codebase is refused");
  t.equal(await httpsGet(`https://127.0.0.1:${replica.ports.repo}${url.pathname}`, { ca: tls.ca }), 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'and nothing without a client certificate');

  await waitFor('the leader gave the Secret an owner reference to its pod', () => {
    const s = api.get('v1', 'Secret', 'bookstore', `sidecar-bootstrap-config-${uuid}`) as Json | undefined;
    return s?.['metadata']['ownerReferences']?.[0]?.['uid'] === store.metadata.uid;
  });
  api.delete('v1', 'Pod', 'bookstore', store.metadata.name);
  await waitFor('the Secret is collected with its pod', () => api.get('v1', 'Secret', 'bookstore', `sidecar-bootstrap-config-${uuid}`) === undefined);
  await waitFor('the proxy is gone from the mesh', () => replica.controller.store.proxies().length === 1);
});
