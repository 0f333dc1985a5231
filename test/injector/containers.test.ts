import t from 'tap';
import { initContainer, podController, sidecarContainer, sidecarResources } from '../../src/injector/containers.js';
import { iptablesCommand } from '../../src/injector/iptables.js';

const none = { outboundPorts: [], inboundPorts: [], outboundIPRangeExclusions: [], outboundIPRangeInclusions: [], networkInterfaces: [] };
const noProbes = { Liveness: null, Readiness: null, Startup: null };

t.test("the init container as FSM's GetInitContainerSpec test expects it", async (t) => {
  const c = initContainer({ image: '-init-container-image-', pullPolicy: 'Always', privileged: false, resources: {}, proxyMode: 'Localhost' }, none);
  t.same(c, {
    name: 'fsm-init',
    image: '-init-container-image-',
    imagePullPolicy: 'Always',
    securityContext: { privileged: false, capabilities: { add: ['NET_ADMIN'] }, runAsNonRoot: false, runAsUser: 0 },
    resources: {},
    command: ['/bin/sh'],
    args: ['-c', iptablesCommand(none)],
    env: [{ name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } }],
  });
});

const settings = {
  meshName: 'fsm',
  image: 'flomesh/pipy:1.5.14',
  logLevel: 'error',
  adminPort: 6060,
  repoUrl: 'https://fsm-controller.fsm-system:6060/repo/fsm-sidecar/u.sidecar.sa.ns/',
  tls: true,
  resources: {},
  holdApplicationUntilProxyStarts: false,
  gracefulExitUntilDownstreamEnds: false,
  controllerKind: 'Deployment',
  controllerName: 'bookstore-v1',
};

t.test("the sidecar: FSM's ports, env, UID 1500 and bootstrap mount, plus Pipy's TLS flags", async (t) => {
  const c = sidecarContainer(settings, noProbes);
  t.same(c['args'], ['pipy', '--log-level=error', '--admin-port=6060', '--tls-cert=/etc/pipy/repo_cert.pem', '--tls-key=/etc/pipy/repo_key.pem', '--tls-trusted=/etc/pipy/cacert.pem', settings.repoUrl]);
  t.same(c['securityContext'], { allowPrivilegeEscalation: false, runAsUser: 1500 });
  t.same(c['ports'], [{ name: 'proxy-admin', containerPort: 15000 }, { name: 'proxy-inbound', containerPort: 15003 }, { name: 'proxy-metrics', containerPort: 15010 }]);
  t.same(c['volumeMounts'], [{ name: 'sidecar-bootstrap-config-volume', readOnly: true, mountPath: '/etc/pipy' }]);
  t.same((c['env'] as { name: string }[]).map((e) => e.name), ['MESH_NAME', 'POD_UID', 'POD_NAME', 'POD_NAMESPACE', 'POD_IP', 'SERVICE_ACCOUNT', 'POD_CONTROLLER_KIND', 'POD_CONTROLLER_NAME']);
  t.equal(c['lifecycle'], undefined);
  const plain = sidecarContainer({ ...settings, tls: false, repoUrl: 'http://x/' }, noProbes);
  t.same(plain['args'], ['pipy', '--log-level=error', '--admin-port=6060', 'http://x/'], 'plain HTTP: the args FSM writes');
  const held = sidecarContainer({ ...settings, holdApplicationUntilProxyStarts: true, gracefulExitUntilDownstreamEnds: true }, { ...noProbes, Liveness: { Path: '/l', Port: 1, Timeout: 0, IsHTTP: true, IsTCPSocket: false } });
  t.same(held['lifecycle'], { postStart: { exec: { command: ['/usr/local/bin/wait-pipy'] } }, preStop: { exec: { command: ['/usr/local/bin/gkill'] } } });
  t.same((held['ports'] as { name: string }[]).at(-1), { name: 'liveness-port', containerPort: 15901 });
});

t.test('pod controller: a ReplicaSet with a hyphen stands for its Deployment', async (t) => {
  t.same(podController([{ kind: 'ReplicaSet', name: 'bookstore-v1-5d9c4b7f8', controller: true }]), { kind: 'Deployment', name: 'bookstore-v1' });
  t.same(podController([{ kind: 'ReplicaSet', name: 'single', controller: true }]), { kind: 'ReplicaSet', name: 'single' });
  t.same(podController([{ kind: 'StatefulSet', name: 'db' }]), { kind: '', name: '' }, 'only the controlling owner counts');
  t.same(podController(undefined), { kind: '', name: '' });
});

t.test('resources: MeshConfig, overridden by the pod, else the namespace, per resource', async (t) => {
  const r = sidecarResources(
    { limits: { cpu: '1', memory: '128M' }, requests: { cpu: '100m' } },
    { 'flomesh.io/sidecar-resource-limits-cpu': '2' },
    { 'flomesh.io/sidecar-resource-limits-cpu': '3', 'flomesh.io/sidecar-resource-requests-memory': '64Mi' },
  );
  t.same(r, { limits: { cpu: '2', memory: '128M' }, requests: { cpu: '100m', memory: '64Mi' } });
  t.throws(() => sidecarResources(undefined, { 'flomesh.io/sidecar-resource-limits-memory': 'lots' }, undefined), /sidecar-resource-limits-memory: "lots" is not a resource quantity/);
});
