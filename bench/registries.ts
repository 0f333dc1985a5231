/**
 * Registry sources at scale: 10,000 instances across 1,000 services in each
 * registry (Consul, Eureka and Nacos stand-ins, each in its own process;
 * real etcd and ZooKeeper when their Debian packages are installed), read
 * by the registry source into a
 * model store with PROXIES meshed client pods and their sidecar configs.
 * Prints per registry:
 *  - time to the first full set (source start → every service in the model),
 *  - retained heap per instance (source state + model objects; --expose-gc),
 *  - time from one instance registered in the registry to the new version of
 *    the watched client's sidecar config (median of CHANGES changes; polled
 *    registries add up to their interval, set to POLL_MS here),
 *  - proxies recomputed by that change,
 *  - the same-run baseline: the same endpoint change applied straight to the
 *    model (no registry), and the ratio of the two.
 * Run: npm run build && npm run bench -- registries   (REGISTRIES=consul,etcd to choose)
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import zookeeper, { type Client } from 'node-zookeeper-client';
import { createSidecarConfigSet } from '../src/generate/sidecar/config-set.js';
import { createModelStore, type ModelStore } from '../src/model/store.js';
import type { MeshObject } from '../src/model/types.js';
import type { SourceEvent } from '../src/model/source-events.js';
import type { CatalogSource } from '../src/sources/catalog/catalog-source.js';
import { parseConsulArg } from '../src/sources/consul/config.js';
import { createConsulSource } from '../src/sources/consul/scheme.js';
import { parseEtcdArg } from '../src/sources/etcd/config.js';
import { createEtcdSource } from '../src/sources/etcd/scheme.js';
import { parseEurekaArg } from '../src/sources/eureka/config.js';
import { createEurekaSource } from '../src/sources/eureka/scheme.js';
import { parseNacosArg } from '../src/sources/nacos/config.js';
import { createNacosSource } from '../src/sources/nacos/scheme.js';
import { parseZookeeperArg } from '../src/sources/zookeeper/config.js';
import { createZookeeperSource } from '../src/sources/zookeeper/scheme.js';
import { mapLimit } from '../src/shared/map-limit.js';
import { benchIp as ip, benchService as svc } from './registry-stand-in-process.js';
import { startEtcd, startZookeeper } from '../interop/registry-servers.js';

const SERVICES = Number(process.env['SERVICES'] ?? 1000);
const PER_SERVICE = Number(process.env['PER_SERVICE'] ?? 10);
const PROXIES = Number(process.env['PROXIES'] ?? 20);
const CHANGES = Number(process.env['CHANGES'] ?? 5);
const POLL_MS = Number(process.env['POLL_MS'] ?? 500);
const CHOSEN = (process.env['REGISTRIES'] ?? 'consul,eureka,nacos,etcd,zookeeper').split(',');
const LIMITS = `maxInstances=${SERVICES * PER_SERVICE * 2}&maxPayload=64Mi&syncTimeout=10m`;

const gc = (globalThis as { gc?: () => void }).gc;
const heapUsed = () => {
  if (gc) for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const has = (cmd: string) => {
  try {
    execFileSync('which', [cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** One registry filled with the instances, a source over it, and a way to register one more instance. */
interface Subject {
  readonly source: CatalogSource;
  add(service: number, index: number): Promise<void>;
  close(): Promise<void>;
}

/** A stand-in in its own process (bench/registry-stand-in-process.ts). */
async function standInProcess(kind: string): Promise<{ url: string; add(s: number, i: number): Promise<void>; close(): Promise<void> }> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./registry-stand-in-process.js', import.meta.url)), [kind, String(SERVICES), String(PER_SERVICE)]);
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', () => reject(new Error(`${kind} stand-in exited`)));
  });
  return {
    url,
    add: (s, i) =>
      new Promise<void>((resolve) => {
        child.once('message', () => resolve());
        child.send({ add: [s, i] });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ close: true });
      }),
  };
}

const subjects: Record<string, () => Promise<Subject | undefined>> = {
  async consul() {
    const c = await standInProcess('consul');
    return { source: createConsulSource(parseConsulArg(`${c.url}?wait=60s&${LIMITS}`)), add: c.add, close: c.close };
  },
  async eureka() {
    const e = await standInProcess('eureka');
    return { source: createEurekaSource(parseEurekaArg(`${e.url}?interval=${POLL_MS}ms&${LIMITS}`)), add: e.add, close: e.close };
  },
  async nacos() {
    const n = await standInProcess('nacos');
    return { source: createNacosSource(parseNacosArg(`${n.url}?interval=${POLL_MS}ms&${LIMITS}`)), add: n.add, close: n.close };
  },
  async etcd() {
    if (!has('etcd')) return undefined;
    const etcd = await startEtcd();
    const put = (key: string, addr: string) =>
      fetch(`${etcd.url}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: Buffer.from(key).toString('base64'), value: Buffer.from(JSON.stringify({ Op: 0, Addr: addr, Metadata: null })).toString('base64') }) }).then((r) => r.text());
    await mapLimit(Array.from({ length: SERVICES * PER_SERVICE }, (_, n) => n), 64, (n) => {
      const s = Math.floor(n / PER_SERVICE);
      return put(`services/${svc(s)}/${ip(s, n % PER_SERVICE)}:8080`, `${ip(s, n % PER_SERVICE)}:8080`);
    });
    return {
      source: createEtcdSource(parseEtcdArg(`${etcd.url}/services?protocol=http&${LIMITS}`)),
      add: async (s, i) => void (await put(`services/${svc(s)}/${ip(s, i)}:8080`, `${ip(s, i)}:8080`)),
      close: () => etcd.close(),
    };
  },
  async zookeeper() {
    if (!has('java') || !has('etcd')) return undefined;
    const zk = await startZookeeper();
    const client: Client = await new Promise((resolve) => {
      const c = zookeeper.createClient(zk.connect, { sessionTimeout: 30_000 });
      c.once('connected', () => resolve(c));
      c.connect();
    });
    const node = (s: number, i: number) => `/dubbo/${svc(s)}/providers/${encodeURIComponent(`http://${ip(s, i)}:8080/${svc(s)}?interface=${svc(s)}`)}`;
    const create = (path: string) => new Promise<void>((resolve, reject) => client.mkdirp(path, (err) => (err ? reject(err) : resolve())));
    await mapLimit(Array.from({ length: SERVICES * PER_SERVICE }, (_, n) => n), 64, (n) => create(node(Math.floor(n / PER_SERVICE), n % PER_SERVICE)));
    return {
      source: createZookeeperSource(parseZookeeperArg(`${zk.connect}?${LIMITS}`)),
      add: (s, i) => create(node(s, i)),
      close: async () => {
        client.close();
        await zk.close();
      },
    };
  },
};

function clients(): MeshObject[] {
  const out: MeshObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { 'flomesh.io/monitored-by': 'fsm' } } }];
  for (let p = 0; p < PROXIES; p++) {
    out.push({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `client-${p}`, namespace: 'app', labels: { app: 'client', 'fsm-proxy-uuid': `00000000-0000-4000-8000-${String(p).padStart(12, '0')}` } },
      spec: { serviceAccountName: 'client', containers: [{ name: 'c' }] }, status: { podIP: `10.244.0.${p + 2}` },
    });
  }
  return out;
}

/**
 * Applies each batch; once listening, regenerates the proxies a batch affects and resolves the waiter
 * when the watched proxy's version changes.
 */
function pipeline(store: ModelStore) {
  const configs = createSidecarConfigSet({ view: store });
  const watched = `00000000-0000-4000-8000-${'0'.repeat(12)}`;
  let waiter: ((r: { at: number; recomputed: number }) => void) | undefined;
  let listening = false;
  return {
    configs,
    apply(events: readonly SourceEvent[]) {
      const { changes } = store.apply(events);
      if (!listening || changes.length === 0) return;
      const r = configs.recompute(configs.affected(changes));
      if (r.changed.includes(watched)) waiter?.({ at: performance.now(), recomputed: r.recomputed });
    },
    listen(on: boolean) {
      listening = on;
    },
    next: () => new Promise<{ at: number; recomputed: number }>((resolve) => (waiter = resolve)),
  };
}

async function bench(name: string): Promise<void> {
  const make = subjects[name];
  if (!make) throw new Error(`unknown registry ${name}`);
  const subject = await make();
  if (!subject) {
    console.log(`${name.padEnd(10)} skipped (not installed here)`);
    return;
  }
  try {
    const store = createModelStore();
    store.apply(clients().map((object) => ({ type: 'upsert' as const, object })));
    const p = pipeline(store);
    p.configs.recompute();
    const heap0 = heapUsed();
    const t0 = performance.now();
    subject.source.start({ onEvents: (e) => p.apply(e) });
    await subject.source.ready;
    const firstMs = performance.now() - t0;
    const services = store.list('Service', 'default').length;
    if (services !== SERVICES) throw new Error(`${name}: ${services} services in the model after ready, expected ${SERVICES}`);
    const perInstance = (heapUsed() - heap0) / (SERVICES * PER_SERVICE);
    const g0 = performance.now();
    p.configs.recompute();
    const genMs = performance.now() - g0;
    p.listen(true);

    const latencies: number[] = [];
    let recomputed = 0;
    for (let c = 0; c < CHANGES; c++) {
      const next = p.next();
      const at = performance.now();
      await subject.add(c, PER_SERVICE + c);
      const r = await next;
      latencies.push(r.at - at);
      recomputed = r.recomputed;
    }

    // Baseline: the same kind of change (one more endpoint of a service) straight into the model.
    const direct: number[] = [];
    for (let c = 0; c < CHANGES; c++) {
      const s = SERVICES - 1 - c;
      const slice = store.get<MeshObject>('EndpointSlice', 'default', `${svc(s)}-http8080`) as MeshObject & { endpoints: { addresses: string[] }[] };
      const next = p.next();
      const at = performance.now();
      p.apply([{ type: 'upsert', object: { ...slice, endpoints: [...slice.endpoints, { addresses: [ip(s, PER_SERVICE + 50 + c)], conditions: { ready: true } }] } }]);
      direct.push((await next).at - at);
    }
    p.listen(false);
    const med = median(latencies);
    const base = median(direct);
    console.log(
      `${name.padEnd(10)} first full set ${firstMs.toFixed(0).padStart(6)} ms | ${perInstance.toFixed(0).padStart(5)} B/instance | ` +
        `change → new version ${med.toFixed(1).padStart(7)} ms (median of ${CHANGES}) | recomputed ${recomputed}/${PROXIES} proxies | ` +
        `baseline (model only) ${base.toFixed(1)} ms, ratio ${(med / base).toFixed(1)} | first generation ${genMs.toFixed(0)} ms`,
    );
  } finally {
    await subject.source.close();
    await subject.close();
  }
}

console.log(`${SERVICES * PER_SERVICE} instances across ${SERVICES} services per registry; ${PROXIES} meshed clients (permissive: every client reaches every service); polled registries every ${POLL_MS} ms`);
for (const name of CHOSEN) await bench(name);
