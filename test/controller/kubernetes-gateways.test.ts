import { X509Certificate } from 'node:crypto';
import t from 'tap';
import { SPEC_HASH_ANNOTATION } from '../../src/controller/gateway-workload-applier.js';
import { TLS_REVISION_ANNOTATION } from '../../src/generate/gateway/workload.js';
import type { KubeApiStandIn } from '../stand-ins/kube-api-server.js';
import { httpsGet } from '../support/https-get.js';
import { waitFor } from '../support/wait-for.js';
import { startCluster, type Replica } from './fixtures/kubernetes-cluster.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Issue 13 on Kubernetes: two fsm-controller replicas against the API server stand-in. The leader
// alone writes the Gateway API status and runs each Gateway's Deployment, Service and certificate
// Secret; they follow listener changes, go with their Gateway (owner references, the stand-in's
// garbage collector) and with a move to another class; a new leader takes over.

const GW = 'gateway.networking.k8s.io/v1';
const CONTROLLER = 'flomesh.io/gateway-controller';

function serveGatewayApi(api: KubeApiStandIn): void {
  api.addResource({ apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', plural: 'meshconfigs', namespaced: true });
  api.addResource({ apiVersion: GW, kind: 'GatewayClass', plural: 'gatewayclasses', namespaced: false });
  api.addResource({ apiVersion: GW, kind: 'Gateway', plural: 'gateways', namespaced: true });
  api.addResource({ apiVersion: GW, kind: 'HTTPRoute', plural: 'httproutes', namespaced: true });
}

const gateway = (name: string, listeners: Json[], gatewayClassName = 'fsm', namespace = 'shop') => ({ apiVersion: GW, kind: 'Gateway', metadata: { name, namespace }, spec: { gatewayClassName, listeners } });
const http80 = { name: 'web', port: 80, protocol: 'HTTP' };

const secretFile = (secret: Json, key: string) => Buffer.from(secret['data'][key], 'base64').toString('utf8');
const get = (api: KubeApiStandIn, apiVersion: string, kind: string, name: string, namespace = 'shop') => api.get(apiVersion, kind, namespace, name) as Json | undefined;

/** Requests that wrote gateway status or workload objects, by bearer token. */
function gatewayWrites(api: KubeApiStandIn, token: string): string[] {
  return api.requests
    .filter((r) => r.method !== 'GET' && r.authorization === `Bearer ${token}`)
    .filter((r) => r.path.includes('/gateway.networking.k8s.io/') || r.path.includes('/deployments') || /\/namespaces\/(shop|cafe)\/(services|secrets)/.test(r.path))
    .map((r) => `${r.method} ${r.path}`);
}

t.test('the leader writes status and runs the gateways; the follower writes nothing', async (t) => {
  const cluster = await startCluster(t);
  const { api } = cluster;
  serveGatewayApi(api);
  for (const ns of ['shop', 'cafe']) api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'flomesh.io/monitored-by': 'fsm' } } });
  api.create({ apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' }, spec: { gatewayAPI: { enabled: true } } });
  api.create({ apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'fsm' }, spec: { controllerName: CONTROLLER } });
  api.create({ apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'other' }, spec: { controllerName: 'example.com/another-controller' } });
  const edge = api.create(gateway('edge', [http80]));
  api.create(gateway('front', [http80], 'fsm', 'cafe'));
  api.create({ apiVersion: GW, kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'shop' }, spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'ghost', port: 80 }] }] } });

  const replicas = [await cluster.startReplica('replica-a'), await cluster.startReplica('replica-b')];
  await waitFor('a leader', () => replicas.some((r) => r.controller.kubernetes()?.isLeader()));
  const leader = replicas.find((r) => r.controller.kubernetes()?.isLeader()) as Replica;
  const follower = replicas.find((r) => r !== leader) as Replica;

  // Status: the route's parent entry says its backend does not resolve.
  const routeParents = () => ((get(api, GW, 'HTTPRoute', 'web')?.['status']?.['parents'] ?? []) as Json[]);
  await waitFor('the route status', () => routeParents().length === 1);
  t.match(routeParents()[0], { parentRef: { name: 'edge' }, controllerName: CONTROLLER, conditions: [{ type: 'Accepted', status: 'True' }, { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound' }] });
  await waitFor('the Gateway status', () => get(api, GW, 'Gateway', 'edge')?.['status']?.['conditions']?.length === 2);
  t.match(get(api, GW, 'Gateway', 'edge')?.['status'], { conditions: [{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'True' }], listeners: [{ name: 'web', attachedRoutes: 1 }] });
  t.match((api.get(GW, 'GatewayClass', undefined, 'fsm') as Json)['status'], { conditions: [{ type: 'Accepted', status: 'True' }] });
  t.notOk((api.get(GW, 'GatewayClass', undefined, 'other') as Json)['status'], "another controller's class is left alone");

  // The workload: Deployment, Service, certificate Secret.
  await waitFor('the Deployment, Service and Secret', () => !!(get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop') && get(api, 'v1', 'Service', 'fsm-gateway-shop') && get(api, 'v1', 'Secret', 'fsm-gateway-shop-repo-tls')));
  const deployment = get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop') as Json;
  const service = get(api, 'v1', 'Service', 'fsm-gateway-shop') as Json;
  const secret = get(api, 'v1', 'Secret', 'fsm-gateway-shop-repo-tls') as Json;
  for (const o of [deployment, service, secret]) {
    t.match(o['metadata']['ownerReferences'], [{ kind: 'Gateway', name: 'edge', uid: edge.metadata.uid, controller: true }], `${o['kind']} is owned by the Gateway`);
  }
  const container = deployment['spec']['template']['spec']['containers'][0];
  t.equal(container['args'][0], 'https://fsm-controller.fsm-system:6060/repo/local/gw/shop/', "the gateway's codebase, over TLS");
  t.same(container['ports'].map((p: Json) => [p['name'], p['containerPort']]), [['http-80', 60080], ['admin', 6060]], 'the listener port (Listen) and the admin port');
  t.same(service['spec']['ports'], [{ name: 'http-80', port: 80, targetPort: 60080, protocol: 'TCP' }]);
  t.same(deployment['spec']['template']['spec']['volumes'], [{ name: 'gateway-tls', secret: { secretName: 'fsm-gateway-shop-repo-tls' } }], 'the Deployment mounts the certificate Secret');
  t.ok(deployment['spec']['template']['metadata']['annotations'][TLS_REVISION_ANNOTATION], 'the pods carry the certificate revision');
  t.equal(secret['type'], 'kubernetes.io/tls');
  t.match(new X509Certificate(secretFile(secret, 'tls.crt')).subject, /^CN=fsm-gateway\.shop\.cluster\.local$/m, "the gateway's own certificate");
  await waitFor("the other namespace's Secret", () => get(api, 'v1', 'Secret', 'fsm-gateway-cafe-repo-tls', 'cafe') !== undefined);
  t.match(new X509Certificate(secretFile(get(api, 'v1', 'Secret', 'fsm-gateway-cafe-repo-tls', 'cafe') ?? {}, 'tls.crt')).subject, /^CN=fsm-gateway\.cafe\.cluster\.local$/m, 'one certificate per namespace');

  // That certificate reads the gateway's codebase from the controller's repo (the authorizer's rule), and only it.
  const tls = { key: secretFile(secret, 'tls.key'), cert: secretFile(secret, 'tls.crt'), ca: secretFile(secret, 'ca.crt') };
  await waitFor('the codebase is served to the gateway certificate', async () => (await httpsGet(`https://127.0.0.1:${leader.ports.repo}/repo/local/gw/shop/`, tls)) === 200);
  t.equal(await httpsGet(`https://127.0.0.1:${follower.ports.repo}/repo/local/gw/shop/`, tls), 200, 'from either replica');
  await waitFor('the other namespace\'s codebase', () => leader.controller.isReady());
  t.equal(await httpsGet(`https://127.0.0.1:${leader.ports.repo}/repo/local/gw/cafe/`, tls), 403, "not another namespace's gateway");

  t.same(gatewayWrites(api, follower.name), [], 'the follower wrote no status and no workload object');
  t.ok(gatewayWrites(api, leader.name).some((w) => w.startsWith('PUT') && w.endsWith('/httproutes/web/status')), 'the leader wrote the route status');

  // A listener change updates the Deployment and the Service.
  api.update({ ...gateway('edge', [http80, { name: 'tcp', port: 5432, protocol: 'TCP' }]), metadata: { ...edge.metadata } });
  await waitFor('the new port in the Service', () => get(api, 'v1', 'Service', 'fsm-gateway-shop')?.['spec']['ports'].length === 2);
  t.same(get(api, 'v1', 'Service', 'fsm-gateway-shop')?.['spec']['ports'].map((p: Json) => [p['name'], p['port'], p['targetPort'], p['protocol']]), [['http-80', 80, 60080, 'TCP'], ['tcp-5432', 5432, 5432, 'TCP']]);
  t.same(get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop')?.['spec']['template']['spec']['containers'][0]['ports'].map((p: Json) => p['containerPort']), [60080, 5432, 6060]);

  // Listeners that all conflict: nothing to expose, so no Service (the Deployment stays).
  api.update({ ...gateway('edge', [http80, { name: 'raw', port: 80, protocol: 'TCP' }]), metadata: { ...edge.metadata } });
  await waitFor('the Service is deleted', () => get(api, 'v1', 'Service', 'fsm-gateway-shop') === undefined);
  t.ok(get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop'), 'the Deployment stays');
  await waitFor('the Gateway reports it', () => get(api, GW, 'Gateway', 'edge')?.['status']?.['conditions']?.[1]?.['status'] === 'False');
  api.update({ ...gateway('edge', [http80]), metadata: { ...edge.metadata } });
  await waitFor('the Service is back', () => get(api, 'v1', 'Service', 'fsm-gateway-shop') !== undefined);

  // A second Gateway of the namespace gets its own workload; moved to another class, it is cleaned up.
  const side = api.create(gateway('side', [{ name: 'web', port: 8080, protocol: 'HTTP' }]));
  await waitFor("the second Gateway's objects", () => !!(get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop-side') && get(api, 'v1', 'Service', 'fsm-gateway-shop-side') && get(api, 'v1', 'Secret', 'fsm-gateway-shop-side-repo-tls')));
  t.equal(get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop-side')?.['spec']['template']['spec']['containers'][0]['args'][0], 'https://fsm-controller.fsm-system:6060/repo/local/gws/shop/side/');
  api.update({ ...gateway('side', [{ name: 'web', port: 8080, protocol: 'HTTP' }], 'other'), metadata: { ...side.metadata } });
  await waitFor('moved to another class: its objects are deleted', () =>
    !get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop-side') && !get(api, 'v1', 'Service', 'fsm-gateway-shop-side') && !get(api, 'v1', 'Secret', 'fsm-gateway-shop-side-repo-tls'),
  );
  t.ok(get(api, GW, 'Gateway', 'side'), 'the Gateway itself stays (it is the other controller\'s now)');
  t.ok(get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop'), "the other Gateway's Deployment stays");
  t.same(gatewayWrites(api, follower.name), [], 'still nothing from the follower');

  // Deleting the Gateway removes its objects.
  api.delete(GW, 'Gateway', 'shop', 'edge');
  await waitFor('deleted with the Gateway', () => !get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop') && !get(api, 'v1', 'Service', 'fsm-gateway-shop') && !get(api, 'v1', 'Secret', 'fsm-gateway-shop-repo-tls'));
});

t.test('a new leader applies what the last one left undone', async (t) => {
  const cluster = await startCluster(t);
  const { api } = cluster;
  serveGatewayApi(api);
  api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'flomesh.io/monitored-by': 'fsm' } } });
  api.create({ apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' }, spec: { gatewayAPI: { enabled: true } } });
  api.create({ apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'fsm' }, spec: { controllerName: CONTROLLER } });
  api.create(gateway('edge', [http80]));
  const first = await cluster.startReplica('replica-a');
  await waitFor('the first leader applied the Deployment', () => get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop') !== undefined);
  const second = await cluster.startReplica('replica-b');
  t.notOk(second.controller.kubernetes()?.isLeader(), 'the second replica follows');

  // Changed behind the controllers' back (the model does not watch Deployments): the leader restores it on its periodic resync only.
  const deployment = get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop') as Json;
  api.update({ ...deployment, spec: { ...deployment['spec'], replicas: 7 } });
  api.delete('v1', 'Service', 'shop', 'fsm-gateway-shop');
  await first.controller.close();
  await waitFor('the second replica leads', () => second.controller.kubernetes()?.isLeader() === true);
  await waitFor('the new leader recreated the Service', () => get(api, 'v1', 'Service', 'fsm-gateway-shop') !== undefined);
  t.ok(gatewayWrites(api, second.name).includes('POST /api/v1/namespaces/shop/services'), 'created by the new leader');
  t.equal(get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop')?.['spec']['replicas'], 7, 'a live object whose spec hash is still ours is not replaced');
  t.ok(get(api, 'apps/v1', 'Deployment', 'fsm-gateway-shop')?.['metadata']['annotations'][SPEC_HASH_ANNOTATION]);
});
