import t from 'tap';
import { buildGatewayTlsSecret, buildGatewayWorkload, gatewayWorkloadSources, TLS_REVISION_ANNOTATION, workloadName, workloadSelector } from '../../../src/generate/gateway/workload.js';
import type { Gateway } from '../../../src/model/gateway-types.js';
import { storeOf } from './helpers.js';

const gw = (name: string, extra: Partial<Gateway['spec']> = {}): Gateway => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'shop', uid: 'u-1' },
  spec: { gatewayClassName: 'fsm', listeners: [], ...extra },
});
const opts = { repoUrl: 'http://fsm-controller.fsm-system.svc:6060', image: 'flomesh/pipy:1.5.14', meshName: 'fsm' };
const listeners = [
  { Protocol: 'UDP', Port: 5353, Listen: 5353 },
  { Protocol: 'HTTP', Port: 80, Listen: 60080 },
  { Protocol: 'HTTPS', Port: 443, Listen: 60443 },
];

t.test('a Deployment of Pipy fetching the Gateway\'s codebase and a Service of its listener ports, owned by the Gateway', async (t) => {
  const { deployment, service } = buildGatewayWorkload(gw('edge'), 'local/gw/shop', listeners, opts) as { deployment: any; service: any };
  t.equal(deployment.metadata.name, 'fsm-gateway-shop', 'FSM\'s name for the namespace\'s gateway');
  t.same(deployment.metadata.ownerReferences, [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'edge', uid: 'u-1', controller: true, blockOwnerDeletion: true }]);
  t.same(deployment.spec.selector.matchLabels, { app: 'fsm-gateway', 'gateway.flomesh.io/ns': 'shop', 'gateway.flomesh.io/name': 'edge' });
  const c = deployment.spec.template.spec.containers[0];
  t.same(c.command, ['pipy']);
  t.same(c.args, ['http://fsm-controller.fsm-system.svc:6060/repo/local/gw/shop/', '--admin-port=6060']);
  t.same(c.ports, [
    { name: 'http-80', containerPort: 60080, protocol: 'TCP' },
    { name: 'https-443', containerPort: 60443, protocol: 'TCP' },
    { name: 'udp-5353', containerPort: 5353, protocol: 'UDP' },
    { name: 'admin', containerPort: 6060, protocol: 'TCP' },
  ]);
  t.same(c.readinessProbe.tcpSocket, { port: 6060 });
  t.equal(c.volumeMounts, undefined, 'no repo TLS, no certificate');
  t.equal(service.spec.type, 'LoadBalancer');
  t.same(service.spec.ports, [
    { name: 'http-80', port: 80, targetPort: 60080, protocol: 'TCP' },
    { name: 'https-443', port: 443, targetPort: 60443, protocol: 'TCP' },
    { name: 'udp-5353', port: 5353, targetPort: 5353, protocol: 'UDP' },
  ]);
  t.same(service.spec.selector, deployment.spec.selector.matchLabels);
});

t.test('repo TLS: the gateway\'s own certificate is mounted and given to Pipy', async (t) => {
  const { deployment } = buildGatewayWorkload(gw('edge'), 'local/gw/shop', listeners, { ...opts, repoUrl: 'https://fsm-controller.fsm-system.svc:6060/', tlsSecretName: 'fsm-gateway-shop-tls' }) as { deployment: any };
  const pod = deployment.spec.template.spec;
  t.same(pod.containers[0].args, [
    'https://fsm-controller.fsm-system.svc:6060/repo/local/gw/shop/',
    '--admin-port=6060',
    '--tls-cert=/etc/fsm-gateway/tls/tls.crt',
    '--tls-key=/etc/fsm-gateway/tls/tls.key',
    '--tls-trusted=/etc/fsm-gateway/tls/ca.crt',
  ]);
  t.same(pod.volumes, [{ name: 'gateway-tls', secret: { secretName: 'fsm-gateway-shop-tls' } }]);
  t.equal(deployment.spec.template.metadata.annotations[TLS_REVISION_ANNOTATION], undefined, 'no revision given, none written');
  const material = { certChainPem: 'CERT', privateKeyPem: 'KEY', trustBundlePem: 'ROOTS' };
  const { secret, revision } = buildGatewayTlsSecret(gw('edge'), 'fsm-gateway-shop-tls', material, 'fsm') as { secret: any; revision: string };
  t.match(secret, { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'fsm-gateway-shop-tls', namespace: 'shop', ownerReferences: deployment.metadata.ownerReferences } });
  t.same(Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()])), { 'tls.crt': 'CERT', 'tls.key': 'KEY', 'ca.crt': 'ROOTS' }, 'the files Pipy is given');
  t.not(buildGatewayTlsSecret(gw('edge'), 'fsm-gateway-shop-tls', { ...material, trustBundlePem: 'ROOTS2' }, 'fsm').revision, revision, 'a new trust bundle is a new revision');
  const rolled = buildGatewayWorkload(gw('edge'), 'local/gw/shop', listeners, { ...opts, tlsSecretName: 'fsm-gateway-shop-tls', tlsRevision: revision }) as { deployment: any };
  t.equal(rolled.deployment.spec.template.metadata.annotations[TLS_REVISION_ANNOTATION], revision, 'the revision on the pod template: a new certificate rolls the pods');
});

t.test('the labels that make the objects this controller\'s, and the selector that lists them', async (t) => {
  const { deployment } = buildGatewayWorkload(gw('edge', { infrastructure: { labels: { app: 'mine', meshName: 'x' } } }), 'local/gw/shop', listeners, opts) as { deployment: any };
  t.same(deployment.metadata.labels, { app: 'fsm-gateway', 'gateway.flomesh.io/ns': 'shop', 'gateway.flomesh.io/name': 'edge', meshName: 'fsm', 'app.kubernetes.io/managed-by': 'fsm-controller' }, 'infrastructure labels cannot override ours');
  for (const term of workloadSelector('fsm').split(',')) {
    const [k = '', v] = term.split('=');
    t.equal(deployment.metadata.labels[k], v, `selected by ${term}`);
  }
});

t.test('the workload sources: every Gateway we run, with its codebase and config listeners', async (t) => {
  const GW = 'gateway.networking.k8s.io/v1';
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'flomesh.io/monitored-by': 'fsm' } } },
    { apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'fsm' }, spec: { controllerName: 'flomesh.io/gateway-controller' } },
    { apiVersion: GW, kind: 'Gateway', metadata: { name: 'edge', namespace: 'shop' }, spec: { gatewayClassName: 'fsm', listeners: [{ name: 'b', port: 8443, protocol: 'TCP' }, { name: 'a', port: 80, protocol: 'HTTP' }, { name: 'c', port: 80, protocol: 'HTTP', hostname: 'x.example.com' }] } },
    { apiVersion: GW, kind: 'Gateway', metadata: { name: 'side', namespace: 'shop' }, spec: { gatewayClassName: 'fsm', listeners: [{ name: 'a', port: 53, protocol: 'UDP' }] } },
    { apiVersion: GW, kind: 'Gateway', metadata: { name: 'theirs', namespace: 'shop' }, spec: { gatewayClassName: 'other', listeners: [{ name: 'a', port: 80, protocol: 'HTTP' }] } },
  ];
  const meshConfig = (enabled: boolean) => ({ apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' }, spec: { gatewayAPI: { enabled } } });
  t.same(gatewayWorkloadSources(storeOf([...objects, meshConfig(false)] as never)), [], 'none while the Gateway API is off');
  const sources = gatewayWorkloadSources(storeOf([...objects, meshConfig(true)] as never));
  t.same(sources.map((s) => [s.gateway.metadata.name, s.codebaseName, s.listeners]), [
    ['edge', 'local/gw/shop', [{ Protocol: 'HTTP', Port: 80, Listen: 60080 }, { Protocol: 'TCP', Port: 8443, Listen: 8443 }]],
    ['side', 'local/gws/shop/side', [{ Protocol: 'UDP', Port: 53, Listen: 60053 }]],
  ], 'one config listener per port, by port; not the other class\'s Gateway');
});

t.test('other Gateways of the namespace; names made valid; infrastructure labels; no Service without ports', async (t) => {
  t.equal(workloadName(gw('second.edge'), 'local/gws/shop/second.edge'), 'fsm-gateway-shop-second-edge');
  const long = workloadName(gw('x'.repeat(80)), `local/gws/shop/${'x'.repeat(80)}`);
  t.equal(long.length, 63);
  t.match(long, /^fsm-gateway-shop-x+-[0-9a-f]{8}$/);
  const { deployment, service } = buildGatewayWorkload(gw('edge', { infrastructure: { labels: { team: 'a' }, annotations: { note: 'b' } } }), 'local/gw/shop', [], opts) as { deployment: any; service: unknown };
  t.equal(service, undefined);
  t.equal(deployment.metadata.labels.team, 'a');
  t.equal(deployment.spec.template.metadata.annotations.note, 'b');
});
