/**
 * Gateway config benchmark: 100 Gateways (10 namespaces x 10), 2,000
 * HTTPRoutes (20 per Gateway, each a 90/10 split over two Services of its
 * namespace, with a header match and a filter), 1,000 Services with 10
 * endpoints each (10,000 endpoints) and a RateLimitPolicy per route.
 * Prints the time to generate every gateway's config, the config size per
 * gateway, and the time from one HTTPRoute edit to the new version of the
 * gateway it names (generator level: apply, touched, regenerate what
 * recorded a touched key). Same-run baseline: serializing the same configs
 * (the floor for producing that many bytes).
 * Run: tsc to dist, then `node dist/bench/gateway-generate.js`.
 */
import { performance } from 'node:perf_hooks';
import { createGatewayGenerator } from '../src/generate/gateway/generator.js';
import { writeCanonical } from '../src/generate/canonical-writer.js';
import { createModelStore } from '../src/model/store.js';
import type { MeshObject } from '../src/model/types.js';

const NAMESPACES = 10;
const GATEWAYS_PER_NS = 10;
const ROUTES_PER_GATEWAY = 20;
const SERVICES_PER_NS = 100;
const ENDPOINTS = 10;

function world(): MeshObject[] {
  const out: MeshObject[] = [
    { apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' }, spec: { gatewayAPI: { enabled: true } } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'fsm' }, spec: { controllerName: 'flomesh.io/gateway-controller' } },
  ];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `ns${n}`;
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'flomesh.io/monitored-by': 'fsm' } } });
    for (let s = 0; s < SERVICES_PER_NS; s++) {
      out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc${s}`, namespace: ns }, spec: { selector: { app: `svc${s}` }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] } });
      out.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `svc${s}-1`, namespace: ns, labels: { 'kubernetes.io/service-name': `svc${s}` } },
        addressType: 'IPv4',
        endpoints: Array.from({ length: ENDPOINTS }, (_, e) => ({ addresses: [`10.${n}.${s}.${e + 1}`], conditions: { ready: true } })),
        ports: [{ name: 'http', port: 8080 }],
      });
    }
    for (let g = 0; g < GATEWAYS_PER_NS; g++) {
      out.push({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: `gw${g}`, namespace: ns },
        spec: { gatewayClassName: 'fsm', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }, { name: 'alt', port: 8080, protocol: 'HTTP', hostname: '*.example.com' }] },
      });
      for (let r = 0; r < ROUTES_PER_GATEWAY; r++) {
        const name = `gw${g}-r${r}`;
        const a = (g * ROUTES_PER_GATEWAY + r) % SERVICES_PER_NS;
        out.push(route(ns, name, `gw${g}`, a, 90));
        out.push({
          apiVersion: 'gateway.flomesh.io/v1alpha1',
          kind: 'RateLimitPolicy',
          metadata: { name, namespace: ns },
          spec: { targetRef: { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name }, hostnames: [{ hostname: `${name}.example.com`, config: { requests: 100, statTimeWindow: 1 } }] },
        });
      }
    }
  }
  return out;
}

function route(ns: string, name: string, gateway: string, svc: number, weight: number): MeshObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns },
    spec: {
      parentRefs: [{ name: gateway }],
      hostnames: [`${name}.example.com`],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-version', value: 'v2' }] }],
          filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-route', value: name }] } }],
          backendRefs: [
            { name: `svc${svc}`, port: 8080, weight },
            { name: `svc${(svc + 1) % SERVICES_PER_NS}`, port: 8080, weight: 100 - weight },
          ],
        },
        { matches: [{ path: { type: 'Exact', value: '/health' } }], backendRefs: [{ name: `svc${svc}`, port: 8080 }] },
      ],
    },
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

const objects = world();
const store = createModelStore();
const loadStart = performance.now();
store.apply(objects.map((object) => ({ type: 'upsert' as const, object })));
console.log(`model: ${objects.length} objects loaded in ${(performance.now() - loadStart).toFixed(0)} ms`);

const gen = createGatewayGenerator({ base: { main: '/main.js', files: new Map([['/main.js', new Uint8Array(1024)]]) } });
const c0 = process.cpuUsage();
const t0 = performance.now();
const batch = gen.beginBatch(store);
const keys = gen.nodes(store);
const nodes = new Map(keys.map((k) => [k, gen.generate(store, k, batch)]));
const fullMs = performance.now() - t0;
const fullCpu = cpuMs(c0);
const sizes = [...nodes.values()].map((n) => Buffer.byteLength(n.configJson));
console.log(`gateways ${nodes.size}, HTTPRoutes ${store.list('HTTPRoute').length}, endpoints ${store.list('Service').length * ENDPOINTS}`);
console.log(`full generation: ${fullMs.toFixed(0)} ms wall, ${fullCpu.toFixed(0)} ms CPU (${(fullMs / nodes.size).toFixed(2)} ms/gateway wall)`);
console.log(`config size per gateway: median ${median(sizes)} B, max ${Math.max(...sizes)} B, total ${(sizes.reduce((a, b) => a + b, 0) / 2 ** 20).toFixed(1)} MiB`);

// Baseline: re-serializing the same documents canonically, the floor of producing these bytes.
const docs = [...nodes.values()].map((n) => JSON.parse(n.configJson) as unknown);
const b0 = performance.now();
for (const d of docs) writeCanonical(d);
const baselineMs = performance.now() - b0;
console.log(`baseline (canonical serialization of the same configs): ${baselineMs.toFixed(0)} ms; generation/baseline ${(fullMs / baselineMs).toFixed(1)}x`);

// Dependency index: key -> gateways that recorded it (what the generic engine keeps).
const byKey = new Map<string, Set<string>>();
for (const [k, n] of nodes) for (const d of n.dependencies) (byKey.get(d) ?? byKey.set(d, new Set()).get(d))?.add(k);

const runs: { total: number; cpu: number; regenerated: number; changed: number }[] = [];
for (let i = 1; i <= 25; i++) {
  const edited = route('ns3', 'gw4-r7', 'gw4', i % SERVICES_PER_NS, 50 + (i % 40));
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  const { changes } = store.apply([{ type: 'upsert', object: edited }]);
  const touched = gen.touched(store, changes);
  const todo = new Set(touched.nodes);
  for (const k of touched.keys) for (const n of byKey.get(k) ?? []) todo.add(n);
  const b = gen.beginBatch(store);
  let changed = 0;
  for (const k of todo) {
    const n = gen.generate(store, k, b);
    if (n.version !== nodes.get(k)?.version) {
      changed++;
      n.outputs();
    }
    nodes.set(k, n);
  }
  runs.push({ total: performance.now() - t1, cpu: cpuMs(c1), regenerated: todo.size, changed });
}
const mid = [...runs].sort((a, b) => a.total - b.total)[Math.floor(runs.length / 2)] ?? runs[0];
if (!mid || !runs[0]) throw new Error('no runs');
console.log(`one HTTPRoute edit -> new gateway version: regenerated ${mid.regenerated} gateway(s), ${mid.changed} changed`);
console.log(`  median of ${runs.length}: ${mid.total.toFixed(2)} ms wall, ${mid.cpu.toFixed(2)} ms CPU; first ${runs[0].total.toFixed(2)} ms wall`);
console.log(`heap used: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
