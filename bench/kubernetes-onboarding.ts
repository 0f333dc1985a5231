/**
 * Onboarding on Kubernetes, measured on the API server stand-in:
 *
 * - admission latency over N pod creations (default 1,000), each injected with
 *   its bootstrap certificate issued and its record and Secret written: the
 *   injector's own time (request parsed → answer written) and the pod
 *   creation round trip through the API server (which calls the webhook over
 *   HTTPS); baseline: the same pods as dry runs (the patch, no certificate,
 *   no writes);
 * - how long a new pod waits from its admission to having its config: the
 *   pod is created (admission), reported running, and a Pipy-like fetcher
 *   with the pod's bootstrap Secret polls until it loads its codebase over
 *   TLS (fetch interval 50 ms instead of Pipy's 5 s, which would dominate);
 * - leader failover with client-go's default timings (15 s / 10 s / 2 s): a
 *   leader that dies (no release) and one that shuts down gracefully.
 *
 *   node --import @tapjs/typescript/import bench/kubernetes-onboarding.ts [admissions] [pods]
 */
import { createKubeClient } from '../src/kubernetes/kube-client.js';
import { createLeaderElector } from '../src/kubernetes/leader-election.js';
import { createPipyFetcher } from '../test/support/pipy-fetcher.js';
import { createKubeApiStandIn } from '../test/stand-ins/kube-api-server.js';
import { deployment, deploymentPod, meshedNamespace, startCluster } from '../test/controller/fixtures/kubernetes-cluster.js';

const admissions = Number(process.argv[2] ?? 1000);
const newPods = Number(process.argv[3] ?? 30);
const teardowns: (() => unknown)[] = [];
const fakeTest = { teardown: (fn: () => unknown) => teardowns.push(fn) } as unknown as Parameters<typeof startCluster>[0];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms  p99 ${pct(xs, 99).toFixed(1)} ms  (n=${xs.length})`;

async function waitForWebhookConfiguration(cluster: Awaited<ReturnType<typeof startCluster>>): Promise<void> {
  while (cluster.api.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration').length === 0) await new Promise((r) => setTimeout(r, 20));
}

async function admissionLatency(): Promise<void> {
  const cluster = await startCluster(fakeTest);
  cluster.api.create(meshedNamespace('bench'));
  const replica = await cluster.startReplica('bench-a');
  if (!replica.controller.kubernetes()?.webhookPort()) throw new Error('the injector is not serving');
  const rs = deployment(cluster.api, 'bench', 'bench-app');
  const client = createKubeClient({ kubeConfig: cluster.api.kubeConfig() });
  const createMs: number[] = [];
  const dryMs: number[] = [];
  await waitForWebhookConfiguration(cluster);
  // One service account per pod, as many Deployments would have: each new proxy affects only itself.
  const body = (i: number) => ({ apiVersion: 'v1', kind: 'Pod', ...deploymentPod('bench-app', rs, `sa-${i}`) });
  for (let i = 0; i < 50; i++) await client.create('/api/v1/namespaces/bench/pods', body(i), { query: { dryRun: 'All' } });
  for (let i = 0; i < admissions; i++) {
    const t0 = performance.now();
    await client.create('/api/v1/namespaces/bench/pods', body(i), { query: { dryRun: 'All' } });
    dryMs.push(performance.now() - t0);
  }
  console.log(`baseline, dry runs (the patch only, no certificate, no writes): ${fmt(dryMs)}`);
  for (let i = 0; i < admissions; i++) {
    const t0 = performance.now();
    await client.create('/api/v1/namespaces/bench/pods', body(i));
    createMs.push(performance.now() - t0);
  }
  const secrets = cluster.api.list('v1', 'Secret', 'bench').length;
  console.log(`admission, pod created through the API server (webhook over HTTPS, certificate issued, record and Secret written): ${fmt(createMs)}`);
  console.log(`ratio p50 ${(pct(createMs, 50) / pct(dryMs, 50)).toFixed(2)}×, p99 ${(pct(createMs, 99) / pct(dryMs, 99)).toFixed(2)}×; bootstrap Secrets written: ${secrets}`);
  for (const fn of teardowns.splice(0).reverse()) await fn();
}

async function admissionToConfig(): Promise<void> {
  const cluster = await startCluster(fakeTest);
  cluster.api.create(meshedNamespace('shop'));
  const replica = await cluster.startReplica('bench-b');
  await waitForWebhookConfiguration(cluster);
  const waits: number[] = [];
  for (let i = 0; i < newPods; i++) {
    const rs = deployment(cluster.api, 'shop', `app-${i}`);
    const t0 = performance.now();
    const pod = await cluster.createPod('shop', deploymentPod(`app-${i}`, rs));
    if (!pod.metadata.labels['fsm-proxy-uuid']) throw new Error('the pod was not injected');
    cluster.podRunning('shop', pod.metadata.name, `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    const uuid = pod.metadata.labels['fsm-proxy-uuid'] ?? '';
    const secret = cluster.api.get('v1', 'Secret', 'shop', `sidecar-bootstrap-config-${uuid}`) as unknown as { data: Record<string, string> };
    const file = (k: string) => Buffer.from(secret.data[k] ?? '', 'base64').toString();
    const url = new URL(pod.spec.containers[0]?.args?.at(-1) ?? '');
    const fetcher = createPipyFetcher({
      url: `https://127.0.0.1:${replica.ports.repo}${url.pathname}`,
      tls: { key: file('repo_key.pem'), cert: file('repo_cert.pem'), ca: file('cacert.pem'), servername: url.hostname },
      intervalMs: 50,
      adminLink: false,
      statusReports: false,
    });
    await fetcher.start();
    waits.push(performance.now() - t0);
    fetcher.close();
  }
  console.log(`admission → the new pod's sidecar has loaded its config over TLS (fetch retried every 50 ms): ${fmt(waits)}`);
  for (const fn of teardowns.splice(0).reverse()) await fn();
}

async function failover(): Promise<void> {
  const api = createKubeApiStandIn();
  await api.start();
  const elector = (name: string) => createLeaderElector({ client: createKubeClient({ kubeConfig: api.kubeConfig({ token: name }) }), namespace: 'fsm-system', name: 'bench', identity: name });
  for (const mode of ['dies', 'shuts down'] as const) {
    const a = elector(`a-${mode}`);
    const b = elector(`b-${mode}`);
    a.start();
    while (!a.isLeader()) await new Promise((r) => setTimeout(r, 20));
    b.start();
    await new Promise((r) => setTimeout(r, 3000));
    const t0 = performance.now();
    if (mode === 'dies') api.partition(`a-${mode}`, true);
    await a.close();
    while (!b.isLeader()) await new Promise((r) => setTimeout(r, 20));
    console.log(`leader failover, the leader ${mode}: ${((performance.now() - t0) / 1000).toFixed(2)} s (lease 15 s, renew deadline 10 s, retry 2 s)`);
    await b.close();
  }
  await api.close();
}

await admissionLatency();
await admissionToConfig();
await failover();
