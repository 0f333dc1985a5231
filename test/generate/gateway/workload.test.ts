import t from 'tap';
import { buildGatewayWorkload, workloadName } from '../../../src/generate/gateway/workload.js';
import type { Gateway } from '../../../src/model/gateway-types.js';

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
