/**
 * Model load benchmark: a synthetic mesh of 10,000 pods, 2,000 services and
 * their endpoint slices written as files, loaded through the file source
 * into the model store. Prints:
 *  - time to ready (file source start → store holds everything),
 *  - retained heap per pod (needs --expose-gc; target ≤ 1 KB),
 *  - change events applied per second (pod IP changes; target ≥ 20,000/s).
 * FORMAT=json writes JSON List files instead of multi-document YAML.
 * Run: node --expose-gc --import=@tapjs/typescript/import bench/model-load.ts
 * (or tsc to dist, then `node --expose-gc dist/bench/model-load.js`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createModelStore, type ModelStore } from '../src/model/store.js';
import { createFileSource } from '../src/sources/file/file-source.js';
import type { SourceEvent } from '../src/model/source-events.js';
import { podIp, syntheticMesh, syntheticPod, writeMeshFiles } from './synthetic-mesh.js';

const SERVICES = Number(process.env['SERVICES'] ?? 2000);
const PODS_PER_SERVICE = Number(process.env['PODS_PER_SERVICE'] ?? 5);
const NAMESPACES = 20;
const CHANGES = Number(process.env['CHANGES'] ?? 100_000);
const FORMAT = process.env['FORMAT'] === 'json' ? 'json' : 'yaml';

const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  if (gc) for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** CPU milliseconds (user + system) of this process since `from`. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

async function loadFromFiles(dir: string): Promise<{ store: ModelStore; ms: number; cpu: number }> {
  const store = createModelStore();
  const source = createFileSource({ dir, rescanIntervalMs: 0 });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  source.start({ onEvents: (e) => void store.apply(e), onProblems: (s, p) => store.setSourceProblems(s, p) });
  await source.ready;
  const ms = performance.now() - t0;
  const cpu = cpuMs(c0);
  await source.close();
  return { store, ms, cpu };
}

async function main(): Promise<void> {
  const mesh = syntheticMesh({ services: SERVICES, podsPerService: PODS_PER_SERVICE, namespaces: NAMESPACES });
  const dir = await mkdtemp(join(tmpdir(), 'fsm-model-load-'));
  try {
    const files = await writeMeshFiles(mesh, dir, FORMAT);
    console.log(`synthetic mesh: ${mesh.podCount} pods, ${SERVICES} services, ${SERVICES} endpoint slices in ${files} ${FORMAT} files`);

    // 1. Time to ready through the file source (read, parse, validate, index).
    const { store, ms, cpu } = await loadFromFiles(dir);
    if (store.count('Pod') !== mesh.podCount || store.errors().length > 0) {
      throw new Error(`load incomplete: ${store.count('Pod')} pods, ${store.errors().length} errors`);
    }
    // Wall time depends on how busy the machine is; CPU time much less so.
    console.log(`time to ready (file source -> store): ${ms.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU (load average ${loadavg()[0]?.toFixed(1)})`);

    // 2. Retained memory: a fresh store loaded from in-memory objects, measured after GC,
    //    so parser garbage and the source's own bookkeeping are not counted.
    if (!gc) console.log('retained memory: run with --expose-gc to measure');
    else {
      const podsOnly = syntheticMesh({ services: SERVICES, podsPerService: PODS_PER_SERVICE, namespaces: NAMESPACES });
      const podEvents: SourceEvent[] = podsOnly.objects.filter((o) => o.kind === 'Pod' || o.kind === 'Namespace').map((object) => ({ type: 'upsert', object }));
      const allEvents: SourceEvent[] = podsOnly.objects.map((object) => ({ type: 'upsert', object }));
      const before = heapUsed();
      const podStore = createModelStore();
      podStore.apply(podEvents);
      podStore.proxies();
      const podsDelta = heapUsed() - before;
      const before2 = heapUsed();
      const fullStore = createModelStore();
      fullStore.apply(allEvents);
      fullStore.proxies();
      const fullDelta = heapUsed() - before2;
      console.log(`retained memory, pods only (store + indexes + proxy list): ${(podsDelta / mesh.podCount).toFixed(0)} B/pod`);
      console.log(`retained memory, whole mesh (pods + services + slices) / pods: ${(fullDelta / mesh.podCount).toFixed(0)} B/pod`);
      // Keep both stores alive until measured.
      if (podStore.count() + fullStore.count() === 0) console.log('');
    }

    // 3. Change events per second: pod IP changes, in batches of 100 and one by one.
    const changes: SourceEvent[] = [];
    for (let k = 0; k < CHANGES; k++) {
      const n = k % mesh.podCount;
      const svc = Math.floor(n / PODS_PER_SERVICE);
      changes.push({ type: 'upsert', object: syntheticPod(`ns${svc % NAMESPACES}`, svc, n % PODS_PER_SERVICE, n, podIp(n + 1_000_000 + k)) });
    }
    // Warm the JIT on changes that are not measured (and not counted).
    for (let k = 0; k < 5000; k++) {
      const n = k % mesh.podCount;
      const svc = Math.floor(n / PODS_PER_SERVICE);
      store.apply([{ type: 'upsert', object: syntheticPod(`ns${svc % NAMESPACES}`, svc, n % PODS_PER_SERVICE, n, podIp(n + 3_000_000)) }]);
    }
    let seen = 0;
    const apply = (events: SourceEvent[]) => {
      seen += store.apply(events).changes.length;
    };
    const half = Math.floor(CHANGES / 2);
    let c0 = process.cpuUsage();
    let t0 = performance.now();
    for (let i = 0; i < half; i += 100) apply(changes.slice(i, Math.min(i + 100, half)));
    const batched = half / ((performance.now() - t0) / 1000);
    const batchedCpu = half / (cpuMs(c0) / 1000);
    c0 = process.cpuUsage();
    t0 = performance.now();
    for (let i = half; i < CHANGES; i++) apply([changes[i] as SourceEvent]);
    const single = (CHANGES - half) / ((performance.now() - t0) / 1000);
    const singleCpu = (CHANGES - half) / (cpuMs(c0) / 1000);
    if (seen !== CHANGES) throw new Error(`expected ${CHANGES} changes, saw ${seen}`);
    console.log(
      `change events applied (target >= 20000/s): batches of 100: ${batched.toFixed(0)}/s wall, ${batchedCpu.toFixed(0)}/CPU-s; ` +
        `one per batch: ${single.toFixed(0)}/s wall, ${singleCpu.toFixed(0)}/CPU-s (load average ${loadavg()[0]?.toFixed(1)})`,
    );

  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
