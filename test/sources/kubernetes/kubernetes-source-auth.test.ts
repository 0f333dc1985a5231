import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { KubeConfig } from '@kubernetes/client-node';
import { createKubernetesSource } from '../../../src/sources/kubernetes/kubernetes-source.js';
import { createTestPki } from '../../server/pipy-repo/fixtures/test-pki.js';
import { createKubeApiStandIn } from '../../stand-ins/kube-api-server.js';
import { createRecorder, pod, podKind, until } from './fixtures/helpers.js';

const dir = await mkdtemp(path.join(tmpdir(), 'kube-auth-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

/** A CA and, signed by it, the API server's certificate for 127.0.0.1 (pki.server). */
const pki = await createTestPki();
const fast = { backoff: { initialMs: 50, maxMs: 200 }, watchTimeoutSeconds: 30 };

t.test('in-cluster configuration: HTTPS with the service-account CA and token files', async (t) => {
  const api = createKubeApiStandIn({ tls: pki.server });
  await api.start();
  t.teardown(() => api.close());
  api.create(pod('ns', 'a', '10.0.0.1'));

  const prefix = path.join(dir, 'pod-root');
  const sa = path.join(prefix, 'var/run/secrets/kubernetes.io/serviceaccount');
  await mkdir(sa, { recursive: true });
  await writeFile(path.join(sa, 'ca.crt'), pki.caPem);
  await writeFile(path.join(sa, 'token'), 'service-account-token');
  await writeFile(path.join(sa, 'namespace'), 'fsm-system');
  const saved = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };
  process.env['KUBERNETES_SERVICE_HOST'] = '127.0.0.1';
  process.env['KUBERNETES_SERVICE_PORT'] = String(api.port);
  t.teardown(() => {
    for (const [k, v] of [['KUBERNETES_SERVICE_HOST', saved.host], ['KUBERNETES_SERVICE_PORT', saved.port]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromCluster(prefix);
  t.match(kubeConfig.getCurrentCluster()?.server, /^https:\/\/127\.0\.0\.1:/);

  const source = createKubernetesSource({ kubeConfig, kinds: [podKind], ...fast });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  await source.ready;
  t.ok(rec.objects.has('Pod/ns/a'));
  t.equal(api.requests[0]?.authorization, 'Bearer service-account-token', 'the token file is sent');
  await until('watch open over TLS', () => api.openWatches() === 1);
  api.create(pod('ns', 'b', '10.0.0.2'));
  await until('watch event over TLS', () => rec.objects.has('Pod/ns/b'));
});

t.test('a server certificate the kubeconfig does not trust is refused and reported', async (t) => {
  const api = createKubeApiStandIn({ tls: pki.server });
  await api.start();
  t.teardown(() => api.close());
  const other = await createTestPki();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: api.url, caData: Buffer.from(other.caPem).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const source = createKubernetesSource({ kubeConfig, kinds: [podKind], ...fast });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  await until('problem reported', () => rec.problems.has('kubernetes:v1/Pod'));
  t.match(rec.problems.get('kubernetes:v1/Pod')?.[0]?.reason, /certificate/i);
  t.equal(api.requests.length, 0, 'no request (and no token) reached the untrusted server');
  t.equal(source.status()[0]?.synced, false);
});

t.test('without a kubeConfig option the source loads the default (KUBECONFIG)', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  api.create(pod('ns', 'a', '10.0.0.1'));
  const file = path.join(dir, 'kubeconfig.yaml');
  await writeFile(file, api.kubeConfig().exportConfig());
  const saved = process.env['KUBECONFIG'];
  process.env['KUBECONFIG'] = file;
  t.teardown(() => {
    if (saved === undefined) delete process.env['KUBECONFIG'];
    else process.env['KUBECONFIG'] = saved;
  });
  const source = createKubernetesSource({ kinds: [podKind], ...fast });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  await source.ready;
  t.ok(rec.objects.has('Pod/ns/a'));
  t.equal(api.requests[0]?.authorization, 'Bearer stand-in-token');
});

t.test('without any Kubernetes configuration: one problem naming where it looked, ready rejects, no request storm', async (t) => {
  const saved = { KUBECONFIG: process.env['KUBECONFIG'], HOME: process.env['HOME'], KUBERNETES_SERVICE_HOST: process.env['KUBERNETES_SERVICE_HOST'] };
  delete process.env['KUBECONFIG'];
  delete process.env['KUBERNETES_SERVICE_HOST'];
  process.env['HOME'] = path.join(dir, 'empty-home');
  t.teardown(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const errors: string[] = [];
  const logger = { debug() {}, info() {}, warn() {}, error: (msg: string, f?: Record<string, unknown>) => errors.push(`${msg}: ${String(f?.['error'])}`) };
  const source = createKubernetesSource({ logger });
  t.teardown(() => source.close());
  const rec = createRecorder();
  source.start(rec);
  const err = await source.ready.then(() => undefined, (e: unknown) => e as Error);
  t.match(err?.message, /no Kubernetes configuration found: KUBECONFIG is not set; .*empty-home\/\.kube\/config does not exist; not in a cluster/);
  t.equal(errors.length, 1, 'logged once');
  t.same([...rec.problems.keys()], ['kubernetes'], 'one problem scope');
  t.equal(rec.problems.get('kubernetes')?.length, 1);
  t.same(source.status(), [], 'no list/watch loop was started');
});
