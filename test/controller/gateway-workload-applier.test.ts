import t, { type Test } from 'tap';
import { createGatewayWorkloadApplier, SPEC_HASH_ANNOTATION, type DesiredGatewayWorkload } from '../../src/controller/gateway-workload-applier.js';
import { buildGatewayWorkload, workloadLabels, type ConfigListener } from '../../src/generate/gateway/workload.js';
import { createKubeClient } from '../../src/kubernetes/kube-client.js';
import type { Gateway } from '../../src/model/gateway-types.js';
import { createKubeApiStandIn, type KubeApiStandIn } from '../stand-ins/kube-api-server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const gw = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: 'shop', uid: 'uid-edge' }, spec: { gatewayClassName: 'fsm', listeners: [] } } as unknown as Gateway;
const desired = (listeners: ConfigListener[], meshName = 'fsm'): DesiredGatewayWorkload => ({
  gateway: 'shop/edge',
  workload: buildGatewayWorkload(gw, 'local/gw/shop', listeners, { repoUrl: 'http://fsm-controller.fsm-system:6060', image: 'flomesh/pipy:1.5.14', meshName, serviceType: 'NodePort' }),
});
const http80 = { Protocol: 'HTTP', Port: 80, Listen: 60080 };
const tcp5432 = { Protocol: 'TCP', Port: 5432, Listen: 5432 };

/** The gateway's certificate Secret as the controller builds it (our labels), with `revision` as its content. */
const tlsSecret = (revision: string) => ({
  object: { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'fsm-gateway-shop-repo-tls', namespace: 'shop', labels: workloadLabels(gw, 'fsm') }, data: { 'tls.crt': revision } },
  revision,
});

async function standIn(t: Test): Promise<KubeApiStandIn> {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  return api;
}
const writes = (api: KubeApiStandIn) => api.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

t.test('created, left alone while unchanged, replaced when changed, keeping what the API server allocated', async (t) => {
  const api = await standIn(t);
  const applier = createGatewayWorkloadApplier({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), meshName: 'fsm', signal: new AbortController().signal });
  const first = await applier.apply([desired([http80])]);
  t.same(first, { changes: ['created Deployment shop/fsm-gateway-shop for Gateway shop/edge', 'created Service shop/fsm-gateway-shop for Gateway shop/edge'], failed: [] });
  const svc = api.get('v1', 'Service', 'shop', 'fsm-gateway-shop') as Json;
  t.ok(svc['metadata']['annotations'][SPEC_HASH_ANNOTATION], 'the hash of what was written');

  // What a real API server adds: a cluster IP and node ports, and the deployment controller's annotation.
  api.update({ ...svc, spec: { ...svc['spec'], clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.7'], ports: [{ ...svc['spec']['ports'][0], nodePort: 31080 }] } });
  const deploy = api.get('apps/v1', 'Deployment', 'shop', 'fsm-gateway-shop') as Json;
  api.update({ ...deploy, metadata: { ...deploy['metadata'], annotations: { ...deploy['metadata']['annotations'], 'deployment.kubernetes.io/revision': '1' } } });
  const before = writes(api).length;
  t.same(await applier.apply([desired([http80])]), { changes: [], failed: [] });
  t.same(writes(api).slice(before), [], 'unchanged: nothing written although the live objects carry defaults');

  t.same((await applier.apply([desired([http80, tcp5432])])).changes, ['updated Deployment shop/fsm-gateway-shop for Gateway shop/edge', 'updated Service shop/fsm-gateway-shop for Gateway shop/edge']);
  const updated = api.get('v1', 'Service', 'shop', 'fsm-gateway-shop') as Json;
  t.equal(updated['spec']['clusterIP'], '10.96.0.7', 'the cluster IP is kept');
  t.same(updated['spec']['ports'].map((p: Json) => [p['port'], p['nodePort']]), [[80, 31080], [5432, undefined]], 'the node port of a port that stays is kept');
});

t.test('a Service without listeners is deleted; objects of another mesh are not ours', async (t) => {
  const api = await standIn(t);
  const client = createKubeClient({ kubeConfig: api.kubeConfig() });
  const other = createGatewayWorkloadApplier({ client, meshName: 'other-mesh', signal: new AbortController().signal });
  const shopOther = desired([http80], 'other-mesh');
  const renamed = { ...shopOther, workload: { deployment: { ...shopOther.workload.deployment, metadata: { ...(shopOther.workload.deployment['metadata'] as Json), name: 'other-gateway' } } } };
  t.same((await other.apply([renamed])).failed, []);

  const applier = createGatewayWorkloadApplier({ client, meshName: 'fsm', signal: new AbortController().signal });
  await applier.apply([desired([http80])]);
  t.same((await applier.apply([desired([])])).changes, ['updated Deployment shop/fsm-gateway-shop for Gateway shop/edge', 'deleted Service shop/fsm-gateway-shop']);
  t.ok(api.get('apps/v1', 'Deployment', 'shop', 'fsm-gateway-shop'), 'the Deployment stays');
  t.same((await applier.apply([])).changes, ['deleted Deployment shop/fsm-gateway-shop']);
  t.ok(api.get('apps/v1', 'Deployment', 'shop', 'other-gateway'), "another mesh's gateway is not touched");
  const secretRequests = api.requests.filter((r) => r.path === '/api/v1/namespaces/shop/secrets/fsm-gateway-shop-repo-tls').map((r) => r.method);
  t.same(secretRequests, ['PATCH'], 'its certificate Secret is looked for by a label test (here it never existed: 404, nothing to delete)');
});

t.test('a failing list is reported and nothing of that kind is touched', async (t) => {
  const api = await standIn(t);
  api.removeResource('apps/v1', 'Deployment');
  const applier = createGatewayWorkloadApplier({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), meshName: 'fsm', signal: new AbortController().signal });
  const result = await applier.apply([desired([http80])]);
  t.same(result.failed.map((f) => f.object), ['Deployment list']);
  t.same(result.changes, ['created Service shop/fsm-gateway-shop for Gateway shop/edge'], 'the other kinds still applied');
});

t.test('certificate Secrets: written once per revision, rewritten when asked (a resync restores a deleted one)', async (t) => {
  const api = await standIn(t);
  const applier = createGatewayWorkloadApplier({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), meshName: 'fsm', signal: new AbortController().signal });
  const withSecret = (revision: string): DesiredGatewayWorkload => ({
    ...desired([http80]),
    secret: tlsSecret(revision),
  });
  t.same((await applier.apply([withSecret('r1')])).changes[0], 'created Secret shop/fsm-gateway-shop-repo-tls');
  api.delete('v1', 'Secret', 'shop', 'fsm-gateway-shop-repo-tls');
  t.same((await applier.apply([withSecret('r1')])).changes, [], 'the same revision is not written again');
  t.notOk(api.get('v1', 'Secret', 'shop', 'fsm-gateway-shop-repo-tls'));
  t.same((await applier.apply([withSecret('r1')], { rewriteSecrets: true })).changes, ['created Secret shop/fsm-gateway-shop-repo-tls'], 'restored on a rewrite');
  const before = writes(api).length;
  t.same((await applier.apply([withSecret('r1')], { rewriteSecrets: true })).changes, [], 'a rewrite of the same content is not a change');
  t.same(writes(api).slice(before), ['POST /api/v1/namespaces/shop/secrets', 'PATCH /api/v1/namespaces/shop/secrets/fsm-gateway-shop-repo-tls'], 'created, found existing, patched: never read');
  t.same((await applier.apply([withSecret('r2')])).changes, ['updated Secret shop/fsm-gateway-shop-repo-tls']);
  t.equal((api.get('v1', 'Secret', 'shop', 'fsm-gateway-shop-repo-tls') as Json)['data']['tls.crt'], 'r2');
});

t.test("a certificate Secret of the workload's name that is not ours is neither overwritten nor deleted", async (t) => {
  const api = await standIn(t);
  const applier = createGatewayWorkloadApplier({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), meshName: 'fsm', signal: new AbortController().signal });
  const name = 'fsm-gateway-shop-repo-tls';
  api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'shop', labels: { app: 'fsm-gateway' } }, data: { 'tls.crt': 'theirs' } });
  const result = await applier.apply([{ ...desired([http80]), secret: tlsSecret('r1') }]);
  t.match(result.failed, [{ object: `Secret shop/${name}`, error: /exists and is not this controller's .*left alone/ }], 'reported');
  t.equal((api.get('v1', 'Secret', 'shop', name) as Json)['data']['tls.crt'], 'theirs', 'not overwritten');
  t.same((api.get('v1', 'Secret', 'shop', name) as Json)['metadata']['labels'], { app: 'fsm-gateway' }, 'its labels are untouched');

  t.same((await applier.apply([])).failed, [{ object: `Secret shop/${name}`, error: `Secret shop/${name} exists and is not this controller's (labels app=fsm-gateway,meshName=fsm,app.kubernetes.io/managed-by=fsm-controller): left alone` }]);
  t.ok(api.get('v1', 'Secret', 'shop', name), 'not deleted with our Deployment');
  t.notOk(api.get('apps/v1', 'Deployment', 'shop', 'fsm-gateway-shop'), 'our Deployment is');
});

t.test('a certificate Secret replaced since it was written (another uid) is not deleted', async (t) => {
  const api = await standIn(t);
  const applier = createGatewayWorkloadApplier({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), meshName: 'fsm', signal: new AbortController().signal });
  const name = 'fsm-gateway-shop-repo-tls';
  t.same((await applier.apply([{ ...desired([http80]), secret: tlsSecret('r1') }])).failed, []);
  const ours = api.get('v1', 'Secret', 'shop', name) as Json;
  api.delete('v1', 'Secret', 'shop', name);
  api.create({ ...ours, metadata: { ...ours['metadata'], uid: undefined, resourceVersion: undefined }, data: { 'tls.crt': 'someone else' } });
  t.not((api.get('v1', 'Secret', 'shop', name) as Json)['metadata']['uid'], ours['metadata']['uid'], 'a new object of that name');
  const result = await applier.apply([]);
  t.match(result.failed, [{ object: `Secret shop/${name}`, error: /Precondition failed: UID/ }], 'the uid written this term is the condition');
  t.equal((api.get('v1', 'Secret', 'shop', name) as Json)['data']['tls.crt'], 'someone else', 'still there');

  const next = createGatewayWorkloadApplier({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), meshName: 'fsm', signal: new AbortController().signal });
  t.same((await next.apply([{ ...desired([http80]), secret: tlsSecret('r1') }])).failed, [], 'a new term');
  api.delete('apps/v1', 'Deployment', 'shop', 'fsm-gateway-shop');
  const fresh = createGatewayWorkloadApplier({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), meshName: 'fsm', signal: new AbortController().signal });
  await fresh.apply([{ ...desired([http80]), secret: tlsSecret('r1') }]);
  t.same((await fresh.apply([])).changes.filter((c) => c.includes('Secret')), [`deleted Secret shop/${name}`], 'a term that did not write it finds its uid by the label test and deletes it');
  t.notOk(api.get('v1', 'Secret', 'shop', name));
});
