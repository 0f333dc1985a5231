import t, { type Test } from 'tap';
import { caFromRoot, generateRoot } from '../../src/certificate/builtin-ca.js';
import { createCertificateManager, type CertificateManager } from '../../src/certificate/manager.js';
import { createGatewayOnKubernetes } from '../../src/controller/gateway-on-kubernetes.js';
import { createGatewayGenerator } from '../../src/generate/gateway/generator.js';
import { TLS_REVISION_ANNOTATION } from '../../src/generate/gateway/workload.js';
import { createKubeClient } from '../../src/kubernetes/kube-client.js';
import { createModelStore, type ModelStore } from '../../src/model/store.js';
import type { Logger } from '../../src/shared/logger.js';
import { createKubeApiStandIn, type KubeApiStandIn } from '../stand-ins/kube-api-server.js';
import { waitFor } from '../support/wait-for.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// The leader's gateway work on its own: a model store and the API server stand-in, no controller.
// What the replica test (kubernetes-gateways.test.ts) does not reach: certificate rotation, plain
// HTTP, the Gateway API turned off, a name taken by someone else.

const GW = 'gateway.networking.k8s.io/v1';
const meshConfig = (enabled: boolean) => ({ apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' }, spec: { gatewayAPI: { enabled } } });

interface Setup {
  api: KubeApiStandIn;
  store: ModelStore;
  manager: CertificateManager;
  warnings: string[];
  /** Applies objects to the model and tells the gateway work, as the pipeline's onApplied does. */
  apply(objects: Record<string, unknown>[]): void;
  leadership: AbortController;
}

async function setup(t: Test, opts: { tls: boolean; before?: (api: KubeApiStandIn) => void }): Promise<Setup> {
  const api = createKubeApiStandIn();
  api.addResource({ apiVersion: GW, kind: 'GatewayClass', plural: 'gatewayclasses', namespaced: false });
  api.addResource({ apiVersion: GW, kind: 'Gateway', plural: 'gateways', namespaced: true });
  await api.start();
  t.teardown(() => api.close());
  opts.before?.(api);
  // The objects as the API server holds them (uids), in the model as the Kubernetes source would put them.
  const cls = api.create({ apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'fsm' }, spec: { controllerName: 'flomesh.io/gateway-controller' } });
  const gw = api.create({ apiVersion: GW, kind: 'Gateway', metadata: { name: 'edge', namespace: 'shop' }, spec: { gatewayClassName: 'fsm', listeners: [{ name: 'web', port: 80, protocol: 'HTTP' }] } });
  const store = createModelStore();
  const manager = createCertificateManager({ issuer: caFromRoot(await generateRoot()) });
  t.teardown(() => manager.close());
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (m, f) => warnings.push(`${m} ${JSON.stringify(f)}`), error: (m, f) => warnings.push(`${m} ${JSON.stringify(f)}`) };
  const work = createGatewayOnKubernetes({
    client: createKubeClient({ kubeConfig: api.kubeConfig() }),
    view: store,
    generator: createGatewayGenerator({ base: { main: '/main.js', files: new Map([['/main.js', new TextEncoder().encode('')]]) } }),
    meshName: 'fsm',
    fsmNamespace: 'fsm-system',
    controllerService: 'fsm-controller',
    tls: opts.tls,
    certificates: manager,
    quietMs: 5,
    maxDelayMs: 50,
    logger,
  });
  const leadership = new AbortController();
  t.teardown(async () => {
    leadership.abort();
    await work.close();
  });
  const apply = (objects: Record<string, unknown>[]) => {
    const { changes } = store.apply(objects.map((object) => ({ type: 'upsert' as const, object: object as never })));
    work.applied(changes);
  };
  apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'flomesh.io/monitored-by': 'fsm' } } }, meshConfig(true), cls, gw]);
  work.lead(leadership.signal);
  return { api, store, manager, warnings, apply, leadership };
}

const get = (api: KubeApiStandIn, apiVersion: string, kind: string, name: string) => api.get(apiVersion, kind, 'shop', name) as Json | undefined;
const revision = (api: KubeApiStandIn) => get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop')?.['spec']['template']['metadata']['annotations'][TLS_REVISION_ANNOTATION] as string | undefined;
const certOf = (api: KubeApiStandIn) => get(api, 'v1', 'Secret', 'fsm-gateway-shop-repo-tls')?.['data']['tls.crt'] as string | undefined;

t.test('a renewed gateway certificate rewrites the Secret and rolls the pods', async (t) => {
  const { api, manager } = await setup(t, { tls: true });
  await waitFor('the Secret and the Deployment', () => certOf(api) !== undefined && revision(api) !== undefined);
  const [cert, rev] = [certOf(api), revision(api)];
  const renewed = await manager.renewWorkload('fsm-gateway.shop');
  t.ok(renewed, 'the manager renewed the identity the gateways use');
  await waitFor('the new certificate in the Secret', () => certOf(api) !== cert);
  t.equal(Buffer.from(certOf(api) ?? '', 'base64').toString(), renewed?.certChainPem);
  await waitFor('the new revision on the pod template', () => revision(api) !== rev);
  t.ok(api.requests.some((r) => r.method === 'PATCH' && r.path === '/api/v1/namespaces/shop/secrets/fsm-gateway-shop-repo-tls'), 'the existing Secret was patched by name (never read)');
  t.notOk(api.requests.some((r) => r.method === 'GET' && r.path.includes('/secrets')), 'no Secret was read');
});

t.test('plain HTTP: the repo over http, no certificate Secret', async (t) => {
  const { api, manager } = await setup(t, { tls: false });
  await waitFor('the Deployment', () => get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop') !== undefined);
  const pod = get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop')?.['spec']['template'];
  t.equal(pod['spec']['containers'][0]['args'][0], 'http://fsm-controller.fsm-system:6060/repo/local/gw/shop/');
  t.notOk(pod['spec']['volumes'], 'nothing mounted');
  t.notOk(pod['metadata']['annotations'][TLS_REVISION_ANNOTATION]);
  t.equal(api.list('v1', 'Secret', 'shop').length, 0);
  t.equal(manager.getWorkload('fsm-gateway.shop'), undefined, 'no gateway certificate issued');
});

t.test('the Gateway API turned off removes every workload and releases the certificate', async (t) => {
  const { api, apply, manager } = await setup(t, { tls: true });
  await waitFor('the workload', () => !!(get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop') && get(api, 'v1', 'Service', 'fsm-gateway-shop') && certOf(api)));
  t.ok(manager.getWorkload('fsm-gateway.shop'), 'the gateway certificate is issued');
  apply([meshConfig(false)]);
  await waitFor('the workload is deleted', () => !get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop') && !get(api, 'v1', 'Service', 'fsm-gateway-shop') && !certOf(api));
  t.equal(manager.getWorkload('fsm-gateway.shop'), undefined, "the namespace's gateway certificate is released");
});

t.test('an object of a desired name that is not ours is left alone and reported', async (t) => {
  const foreign = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fsm-gateway-shop', namespace: 'shop', labels: { app: 'fsm-gateway' } }, spec: { replicas: 3 } };
  const { api, warnings } = await setup(t, { tls: true, before: (a) => a.create(foreign) });
  await waitFor('the Service', () => get(api, 'v1', 'Service', 'fsm-gateway-shop') !== undefined);
  await waitFor('the failure is reported', () => warnings.some((w) => w.includes('Deployment shop/fsm-gateway-shop exists and is not this controller')));
  t.same(get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop')?.['spec'], { replicas: 3 }, 'the Deployment is untouched');
  t.notOk(api.requests.some((r) => r.method === 'PUT' && r.path.includes('/deployments/')), 'never replaced');
  t.notOk(api.requests.some((r) => r.method === 'DELETE'), 'never deleted');
});
