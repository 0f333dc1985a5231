/**
 * The init container's iptables script, applied for real: a network
 * namespace plays the pod, another its network; the script the injector puts
 * in `fsm-init` runs there through `/bin/sh -c` (iptables-restore), and TCP
 * connections show where traffic lands: outbound on the sidecar's 15001,
 * inbound on 15003, the sidecar's own traffic (UID 1500) straight out, and
 * every exclusion honoured. Needs root, iptables and iproute2 (`.ci/run`
 * installs them). If a namespace cannot be created the test fails saying so.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { iptablesCommand, type Exclusions } from '../src/injector/index.js';
import { createInjector } from '../src/injector/index.js';
import type { KubeClient } from '../src/kubernetes/index.js';

const run = promisify(execFile);
const tag = `fsm${process.pid}`;
const none: Exclusions = { outboundPorts: [], inboundPorts: [], outboundIPRangeExclusions: [], outboundIPRangeInclusions: [], networkInterfaces: [] };

/** A TCP server in a namespace that greets every connection with its name. */
const SERVER = `
const net = require('node:net');
const [name, host, ...ports] = process.argv.slice(1);
let open = 0;
for (const port of ports) {
  net.createServer((s) => s.end(name + ':' + port + '\\n')).listen(Number(port), host, () => { if (++open === ports.length) process.stdout.write('ready\\n'); });
}`;

/** Connects (as `uid`) and prints the greeting, or the error code. */
const CLIENT = `
const net = require('node:net');
const [host, port, uid] = process.argv.slice(1);
if (uid !== '0') { process.setgid(Number(uid)); process.setuid(Number(uid)); }
const s = net.connect({ host, port: Number(port), timeout: 3000 });
let out = '';
s.on('data', (d) => (out += d));
s.on('end', () => process.stdout.write(out.trim()));
s.on('timeout', () => { process.stdout.write('timeout'); s.destroy(); });
s.on('error', (e) => process.stdout.write(e.code || e.message));`;

async function sh(args: string[]): Promise<string> {
  const { stdout } = await run(args[0] as string, args.slice(1), { timeout: 20_000 });
  return stdout.trim();
}

interface Pod {
  readonly ns: string;
  readonly world: string;
  connect(from: 'pod' | 'world', host: string, port: number, uid?: number): Promise<string>;
}

/**
 * Two namespaces: `pod` (10.99.0.2 on eth0, 10.98.0.2 on eth1) and `world`
 * (10.99.0.1, 10.98.0.1, and 10.97.0.1/10.96.0.1 behind them). The pod runs
 * the sidecar's listeners (15001 outbound, 15003 inbound) and the app (8080,
 * 8081); the world serves 9998 and 9999 on every address.
 */
async function pod(t: Test, name: string, script: string): Promise<Pod> {
  const ns = `${tag}-${name}-pod`;
  const world = `${tag}-${name}-world`;
  try {
    await sh(['ip', 'netns', 'add', ns]);
    await sh(['ip', 'netns', 'add', world]);
  } catch (err) {
    throw new Error(`cannot create a network namespace (this test needs root and iproute2; it never skips): ${(err as Error).message}`);
  }
  const children: ChildProcess[] = [];
  t.teardown(async () => {
    for (const c of children) c.kill('SIGKILL');
    await sh(['ip', 'netns', 'del', ns]).catch(() => undefined);
    await sh(['ip', 'netns', 'del', world]).catch(() => undefined);
  });
  const inPod = (...cmd: string[]) => sh(['ip', 'netns', 'exec', ns, ...cmd]);
  const inWorld = (...cmd: string[]) => sh(['ip', 'netns', 'exec', world, ...cmd]);
  for (const [dev, peer, podIp, worldIp] of [['eth0', 'w0', '10.99.0.2/24', '10.99.0.1/24'], ['eth1', 'w1', '10.98.0.2/24', '10.98.0.1/24']] as const) {
    await sh(['ip', 'link', 'add', `${tag}${name.slice(0, 2)}${dev}`, 'type', 'veth', 'peer', 'name', `${tag}${name.slice(0, 2)}${peer}`]);
    await sh(['ip', 'link', 'set', `${tag}${name.slice(0, 2)}${dev}`, 'netns', ns, 'name', dev]);
    await sh(['ip', 'link', 'set', `${tag}${name.slice(0, 2)}${peer}`, 'netns', world, 'name', peer]);
    await inPod('ip', 'addr', 'add', podIp, 'dev', dev);
    await inPod('ip', 'link', 'set', dev, 'up');
    await inWorld('ip', 'addr', 'add', worldIp, 'dev', peer);
    await inWorld('ip', 'link', 'set', peer, 'up');
  }
  await inPod('ip', 'link', 'set', 'lo', 'up');
  await inWorld('ip', 'link', 'set', 'lo', 'up');
  await inWorld('ip', 'addr', 'add', '10.97.0.1/32', 'dev', 'lo');
  await inWorld('ip', 'addr', 'add', '10.96.0.1/32', 'dev', 'lo');
  await inPod('ip', 'route', 'add', 'default', 'via', '10.99.0.1');
  await inWorld('ip', 'route', 'add', '10.99.0.0/16', 'dev', 'w0');

  // The init container: the exact command of its args, through /bin/sh -c, as root, with POD_IP.
  await run('ip', ['netns', 'exec', ns, '/bin/sh', '-c', script], { env: { ...process.env, POD_IP: '10.99.0.2' }, timeout: 20_000 });

  const serve = (where: string, label: string, host: string, ports: number[]) =>
    new Promise<void>((resolve, reject) => {
      const c = spawn('ip', ['netns', 'exec', where, process.execPath, '-e', SERVER, label, host, ...ports.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(c);
      c.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      c.on('exit', (code) => reject(new Error(`${label} server exited (${code})`)));
    });
  await Promise.all([
    serve(ns, 'sidecar-outbound', '0.0.0.0', [15001]),
    serve(ns, 'sidecar-inbound', '0.0.0.0', [15003]),
    serve(ns, 'app', '0.0.0.0', [8080, 8081]),
    serve(world, 'world', '0.0.0.0', [9998, 9999]),
  ]);
  return {
    ns,
    world,
    async connect(from, host, port, uid = 0) {
      const { stdout } = await run('ip', ['netns', 'exec', from === 'pod' ? ns : world, process.execPath, '-e', CLIENT, host, String(port), String(uid)], { timeout: 20_000 });
      return stdout.trim();
    },
  };
}

/** A dry run writes nothing: any call fails the test. */
const never = async (): Promise<never> => {
  throw new Error('a dry-run admission must not call the API server');
};
const unreachableClient: KubeClient = { server: '', get: never, create: never, update: never, patch: never, delete: never, watch: never };

t.test('the script the injector writes into fsm-init is the one applied here', async (t) => {
  const injector = createInjector({
    client: unreachableClient,
    view: {
      namespace: (name) => ({ name, labels: { 'flomesh.io/monitored-by': 'fsm' }, annotations: { 'flomesh.io/sidecar-injection': 'enabled' } }),
      mesh: () => ({
        sidecarImage: 'flomesh/pipy:1.5.14',
        sidecarLogLevel: 'error',
        holdApplicationUntilProxyStarts: false,
        gracefulExitUntilDownstreamEnds: false,
        enablePrivilegedInitContainer: false,
        localProxyMode: 'Localhost',
        tls: {},
        repoServer: { ipaddr: '127.0.0.1', port: 6060, codebase: '' },
        interceptionMode: 'PodLevel',
        exclusions: { outboundPortExclusionList: [9998], inboundPortExclusionList: [], outboundIPRangeExclusionList: [], outboundIPRangeInclusionList: [], networkInterfaceExclusionList: ['eth1'] },
      }),
    },
    certificates: { issueBootstrap: never, trustBundlePem: () => '' },
    collector: { record: async () => undefined },
    meshName: 'fsm',
    fsmNamespace: 'fsm-system',
    trustDomain: 'cluster.local',
    version: '0',
    tls: true,
    initImage: 'init',
    healthcheckImage: 'hc',
    pullPolicy: 'IfNotPresent',
  });
  const { out } = await injector.review({
    uid: 'u',
    kind: { kind: 'Pod' },
    operation: 'CREATE',
    namespace: 'app',
    dryRun: true,
    object: { metadata: { name: 'p', annotations: { 'flomesh.io/inbound-port-exclusion-list': '8081', 'flomesh.io/outbound-ip-range-exclusion-list': '10.97.0.0/24' } }, spec: { containers: [{ name: 'app' }] } },
  });
  const ops = JSON.parse(Buffer.from(out.response.patch ?? '', 'base64').toString()) as { path: string; value: { name: string; args: string[] }[] }[];
  const init = ops.find((o) => o.path === '/spec/initContainers')?.value[0];
  t.equal(init?.name, 'fsm-init');
  const script = init?.args[1] ?? '';
  const p = await pod(t, 'excl', script);

  t.equal(await p.connect('pod', '10.99.0.1', 9999), 'sidecar-outbound:15001', 'outbound TCP from the app to any address lands on 15001');
  t.equal(await p.connect('pod', '10.99.0.1', 9999, 1500), 'world:9999', 'the sidecar itself (UID 1500) goes straight out');
  t.equal(await p.connect('world', '10.99.0.2', 8080), 'sidecar-inbound:15003', 'inbound TCP to the app port lands on 15003');
  t.equal(await p.connect('pod', '127.0.0.1', 8080), 'app:8080', 'the app talking to itself on localhost is not redirected');
  t.equal(await p.connect('pod', '10.99.0.2', 8080, 1500), 'sidecar-inbound:15003', 'the sidecar reaching its own pod IP is sent to the inbound listener');
  t.equal(await p.connect('pod', '10.99.0.1', 9998), 'world:9998', 'MeshConfig outboundPortExclusionList: 9998 goes straight out');
  t.equal(await p.connect('pod', '10.97.0.1', 9999), 'world:9999', 'pod annotation outbound-ip-range-exclusion-list: 10.97.0.0/24 goes straight out');
  t.equal(await p.connect('pod', '10.96.0.1', 9999), 'sidecar-outbound:15001', 'other ranges are still redirected');
  t.equal(await p.connect('world', '10.99.0.2', 8081), 'app:8081', 'pod annotation inbound-port-exclusion-list: 8081 reaches the app directly');
  t.equal(await p.connect('pod', '10.98.0.1', 9999), 'world:9999', 'networkInterfaceExclusionList eth1: outbound on eth1 is not redirected');
  t.equal(await p.connect('world', '10.98.0.2', 8080), 'app:8080', 'and inbound on eth1 reaches the app directly');
  t.equal(await p.connect('world', '10.99.0.2', 15010), 'ECONNREFUSED', 'the Prometheus port is never redirected (nothing listens on it here)');
});

t.test('an inclusion list redirects only the listed ranges', async (t) => {
  const script = iptablesCommand({ ...none, outboundIPRangeInclusions: ['10.96.0.0/24'] });
  const p = await pod(t, 'incl', script);
  t.equal(await p.connect('pod', '10.96.0.1', 9999), 'sidecar-outbound:15001', 'an included range is redirected');
  t.equal(await p.connect('pod', '10.99.0.1', 9999), 'world:9999', 'anything else goes straight out');
  t.equal(await p.connect('world', '10.99.0.2', 8080), 'sidecar-inbound:15003', 'inbound is unaffected');
});

t.test('PodIP mode: the sidecar reaching the app on localhost is sent to the pod IP', async (t) => {
  const p = await pod(t, 'podip', iptablesCommand(none, 'PodIP'));
  // The app listens on 0.0.0.0, so DNAT to the pod IP still reaches it; what changes is the destination the rule writes.
  t.equal(await p.connect('pod', '127.0.0.1', 8080, 1500), 'app:8080');
  const rules = await sh(['ip', 'netns', 'exec', p.ns, 'iptables', '-t', 'nat', '-S', 'OUTPUT']);
  t.match(rules, /-A OUTPUT -d 127\.0\.0\.1\/32 -o lo -p tcp -m owner --uid-owner 1500 -j DNAT --to-destination 10\.99\.0\.2/, '$POD_IP expanded by the shell, as in the pod');
});
