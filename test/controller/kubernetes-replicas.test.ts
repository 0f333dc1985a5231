import { request } from 'node:https';
import * as grpc from '@grpc/grpc-js';
import t, { type Test } from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { createAdsClient } from '../../server/transport/ads-client.js';
import { waitFor } from '../support/wait-for.js';
import { deployment, deploymentPod, meshedNamespace, startCluster, type Cluster, type PodObject, type Replica } from './fixtures/kubernetes-cluster.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Two replicas behind one Service: a sidecar whose polls land on either must see the same etag and
// the same xDS versions, or it would reload on every switch. And one mesh CA between them.

interface ProxyCreds {
  cn: string;
  tls: { key: string; cert: string; ca: string };
}

function head(port: number, path: string, tls: ProxyCreds['tls']): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'HEAD', agent: false, servername: 'fsm-controller.fsm-system', ...tls }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? String(res.headers.etag) : undefined));
    });
    req.on('error', reject);
    req.end();
  });
}

async function xdsVersions(t: Test, replica: Replica, proxy: ProxyCreds): Promise<string[]> {
  const credentials = grpc.credentials.createSsl(Buffer.from(proxy.tls.ca), Buffer.from(proxy.tls.key), Buffer.from(proxy.tls.cert), { checkServerIdentity: () => undefined });
  const client = createAdsClient({ address: `127.0.0.1:${replica.ports.xds}`, node: { id: proxy.cn, cluster: 'c' }, credentials });
  t.teardown(() => client.close());
  const out: string[] = [];
  for (const type of [TypeUrl.PipySidecarConfig, TypeUrl.Secret]) {
    client.subscribe(type, []);
    out.push((await client.next({ timeoutMs: 10_000 })).versionInfo);
  }
  client.close();
  return out;
}

async function meshWithTwoApps(cluster: Cluster): Promise<{ pods: PodObject[]; creds: ProxyCreds[] }> {
  const { api } = cluster;
  const pods: PodObject[] = [];
  for (const [ns, app, ip] of [['bookstore', 'bookstore', '10.0.1.1'], ['bookstore', 'bookstore', '10.0.1.2'], ['bookbuyer', 'bookbuyer', '10.0.2.1']] as const) {
    if (!api.get('v1', 'Namespace', undefined, ns)) {
      api.create(meshedNamespace(ns));
      api.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: app, namespace: ns }, spec: { selector: { app }, ports: [{ name: 'web', port: 14001, appProtocol: 'http' }], clusterIP: ip.replace(/\.\d+$/, '.100') } });
    }
    const pod = await cluster.createPod(ns, deploymentPod(app, deployment(api, ns, `${app}-${pods.length}`)));
    cluster.podRunning(ns, pod.metadata.name, ip);
    pods.push(pod);
  }
  api.create({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'bookstore-abc', namespace: 'bookstore', labels: { 'kubernetes.io/service-name': 'bookstore' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.1.1'] }, { addresses: ['10.0.1.2'] }],
    ports: [{ name: 'web', port: 14001 }],
  });
  const creds = pods.map((p) => {
    const uuid = p.metadata.labels['fsm-proxy-uuid'] ?? '';
    const secret = api.get('v1', 'Secret', p.metadata.namespace, `sidecar-bootstrap-config-${uuid}`) as Json;
    const file = (k: string) => Buffer.from(secret['data'][k], 'base64').toString('utf8');
    const sa = p.metadata.namespace === 'bookbuyer' ? 'bookbuyer' : 'bookstore';
    return { cn: `${uuid}.sidecar.${sa}.${p.metadata.namespace}`, tls: { key: file('repo_key.pem'), cert: file('repo_cert.pem'), ca: file('cacert.pem') } };
  });
  return { pods, creds };
}

t.test('two replicas: one CA, the same etag and xDS versions for every proxy', async (t) => {
  const cluster = await startCluster(t);
  const a = await cluster.startReplica('replica-a');
  const b = await cluster.startReplica('replica-b');
  const { creds } = await meshWithTwoApps(cluster);
  t.same(cluster.api.admissionCalls.map((c) => c.url).filter((u, i, all) => all.indexOf(u) === i).length, 2, 'admissions were served by both replicas');

  const secrets = cluster.api.list('v1', 'Secret', 'fsm-system').map((s) => s.metadata.name);
  t.same(secrets.filter((n) => n === 'fsm-ca-bundle'), ['fsm-ca-bundle'], 'one CA Secret');
  t.same(new Set(creds.map((c) => c.tls.ca)).size, 1, 'bootstrap Secrets made by either replica trust the same root');

  for (const r of [a, b]) await waitFor(`${r.name} has every proxy`, () => r.controller.store.proxies().length === 3 && r.controller.isReady());
  for (const proxy of creds) {
    const path = `/repo/fsm-sidecar/${proxy.cn}/`;
    let etags: (string | undefined)[] = [];
    await waitFor(`one etag for ${proxy.cn}`, async () => {
      etags = await Promise.all([a, b].map((r) => head(r.ports.repo, path, proxy.tls)));
      return etags[0] !== undefined && etags[0] === etags[1];
    });
    t.equal(etags[0], etags[1], `${proxy.cn}: the same etag from both replicas`);
    const [va, vb] = await Promise.all([xdsVersions(t, a, proxy), xdsVersions(t, b, proxy)]);
    t.same(va, vb, `${proxy.cn}: the same xDS versions (SidecarConfig, SDS) from both replicas`);
  }
  const leaders = [a, b].filter((r) => r.controller.kubernetes()?.isLeader());
  t.equal(leaders.length, 1, 'one leader');
});
