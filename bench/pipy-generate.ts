/**
 * Pipy sidecar config benchmark: a synthetic SMI mesh of 1,000 services x 10
 * pods (10,000 proxies) with 2,000 TrafficTargets. Prints the time to
 * generate every proxy's config, the config size per proxy (median, max),
 * and what one pod IP change in a service with 100 client proxies costs.
 * Run: tsc to dist, then `node dist/bench/pipy-generate.js`.
 */
import { performance } from 'node:perf_hooks';
import { createSidecarConfigSet } from '../src/generate/pipy/index.js';
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
const t0 = performance.now();
const full = set.recompute();
const fullMs = performance.now() - t0;
const sizes = set.uuids().map((u) => Buffer.byteLength(set.get(u)?.json ?? ''));
console.log(`proxies ${full.recomputed}, TrafficTargets ${store.list('TrafficTarget').length}`);
console.log(`full generation: ${fullMs.toFixed(0)} ms (${(fullMs / full.recomputed).toFixed(3)} ms/proxy)`);
console.log(`config size per proxy: median ${median(sizes)} B, max ${Math.max(...sizes)} B`);

const pod = store.get<MeshObject>('Pod', 'ns0', 'svc0-3');
if (!pod) throw new Error('pod svc0-3 missing');
const t1 = performance.now();
const { changes } = store.apply([{ type: 'upsert', object: { ...pod, status: { podIP: '10.250.0.1' } } }]);
const affected = set.affected(changes);
const res = set.recompute(affected);
const incMs = performance.now() - t1;
console.log(`pod IP change in svc0 (100 client proxies): recomputed ${res.recomputed}, changed ${res.changed.length}, ${incMs.toFixed(1)} ms (apply + affected + recompute)`);
