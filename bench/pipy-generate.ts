/**
 * Pipy sidecar config benchmark: a synthetic SMI mesh of 1,000 services x 10
 * pods (10,000 proxies) with 2,000 TrafficTargets. Prints the time to
 * generate every proxy's config, the config size per proxy (median, max),
 * and what one pod IP change in a service with 100 client proxies costs.
 * Run: tsc to dist, then `node dist/bench/pipy-generate.js`.
 */
import { performance } from 'node:perf_hooks';
import { createSidecarConfigSet } from '../src/generate/sidecar/index.js';
import { createModelStore } from '../src/model/store.js';
import type { MeshObject } from '../src/model/types.js';

const SERVICES = Number(process.env.SERVICES ?? 1000);
const PODS = 10;
const NAMESPACES = 10;

function mesh(): MeshObject[] {
  const out: MeshObject[] = [];
  const nsOf = (i: number): string => `ns${i % NAMESPACES}`;
  for (let n = 0; n < NAMESPACES; n++) {
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns${n}`, labels: { 'flomesh.io/monitored-by': 'fsm' } } });
    out.push({ apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: 'routes', namespace: `ns${n}` },
      spec: { matches: [{ name: 'api', pathRegex: '/api/.*', methods: ['GET', 'POST'] }, { name: 'health', pathRegex: '/health' }] } });
  }
  out.push({ apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' },
    spec: { traffic: { enablePermissiveTrafficPolicyMode: false } } });
  for (let i = 0; i < SERVICES; i++) {
    const ns = nsOf(i);
    out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc${i}`, namespace: ns },
      spec: { selector: { app: `svc${i}` }, clusterIP: `10.96.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 8080, targetPort: 8080, appProtocol: 'http' }] } });
    for (let p = 0; p < PODS; p++) {
      const n = i * PODS + p;
      out.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `svc${i}-${p}`, namespace: ns, labels: { app: `svc${i}`, 'fsm-proxy-uuid': `uuid-${n}` } },
        spec: { serviceAccountName: `sa${i}`, containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }] },
        status: { podIP: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` } });
    }
    // Service 0 has 10 calling identities (100 client proxies); every other service 2.
    const callers = i === 0 ? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : [(i + 1) % SERVICES, (i + 2) % SERVICES];
    const pairs = i === 0 ? [callers.slice(0, 5), callers.slice(5)] : [[callers[0] as number], [callers[1] as number]];
    pairs.forEach((srcs, k) => out.push({ apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: `tt${i}-${k}`, namespace: ns },
      spec: { destination: { kind: 'ServiceAccount', name: `sa${i}`, namespace: ns },
        sources: srcs.map((s) => ({ kind: 'ServiceAccount', name: `sa${s}`, namespace: nsOf(s) })), rules: [{ kind: 'HTTPRouteGroup', name: 'routes' }] } }));
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const objects = mesh();
const store = createModelStore();
store.apply(objects.map((object) => ({ type: 'upsert' as const, object })));
const set = createSidecarConfigSet({ view: store });
// The machines are shared: wall time includes waiting for a core, CPU time does not. Both are printed.
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const t0 = performance.now();
const c0 = process.cpuUsage();
const full = set.recompute();
const fullCpu = cpuMs(c0);
const fullMs = performance.now() - t0;
const sizes = set.keys().map((u) => Buffer.byteLength(set.get(u)?.json ?? ''));
console.log(`proxies ${full.recomputed}, TrafficTargets ${store.list('TrafficTarget').length}`);
console.log(`full generation: ${fullMs.toFixed(0)} ms wall, ${fullCpu.toFixed(0)} ms CPU (${(fullMs / full.recomputed).toFixed(3)} ms/proxy wall)`);
console.log(`config size per proxy: median ${median(sizes)} B, max ${Math.max(...sizes)} B`);
console.log(`heap used after full generation: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);

const pod = store.get<MeshObject>('Pod', 'ns0', 'svc0-3');
if (!pod) throw new Error('pod svc0-3 missing');
// 25 successive IP changes of one pod: the first ones pay for warming up the incremental path (and for GC of the full
// generation); the median is the figure.
const runs: { apply: number; affected: number; recompute: number; total: number; cpu: number; recomputed: number; changed: number }[] = [];
for (let k = 1; k <= 25; k++) {
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  const { changes } = store.apply([{ type: 'upsert', object: { ...pod, status: { podIP: `10.250.0.${k}` } } }]);
  const t2 = performance.now();
  const affected = set.affected(changes);
  const t3 = performance.now();
  const res = set.recompute(affected);
  const t4 = performance.now();
  runs.push({ apply: t2 - t1, affected: t3 - t2, recompute: t4 - t3, total: t4 - t1, cpu: cpuMs(c1), recomputed: res.recomputed, changed: res.changed.length });
}
const mid = [...runs].sort((a, b) => a.total - b.total)[Math.floor(runs.length / 2)] ?? runs[0];
if (!mid || !runs[0]) throw new Error('no runs');
console.log(`pod IP change in svc0 (100 client proxies): recomputed ${mid.recomputed}, changed ${mid.changed}`);
console.log(`  median of ${runs.length}: ${mid.total.toFixed(1)} ms wall (apply ${mid.apply.toFixed(1)}, affected ${mid.affected.toFixed(1)}, recompute ${mid.recompute.toFixed(1)}), ${mid.cpu.toFixed(1)} ms CPU; first run ${runs[0].total.toFixed(1)} ms wall`);
