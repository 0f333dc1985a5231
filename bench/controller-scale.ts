/**
 * fsm-controller at 2,000 proxies (issue 6): the synthetic mesh of the
 * generation benchmark scaled down (200 services × 10 pods, SMI mode), every
 * proxy connected both over the Pipy repo protocol (Pipy-like pollers: HEAD
 * and a status POST every 5 s, each on a new connection, admin-link WebSocket, config download on
 * `reload`) and over xDS (one ADS stream each), the clients in two child
 * processes. Prints: time to ready, convergence after a MeshConfig edit that
 * changes every proxy (p50/p99 per transport), controller RSS, and idle CPU
 * with all clients polling, against the same controller with no clients as
 * the baseline.
 *
 *   node dist/bench/controller-scale.js [--proxies 2000] [--idle-seconds 15] [--pin] [--only repo|xds] [--base-files K]
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createController } from '../src/controller/controller.js';
import { parseControllerOptions } from '../src/controller/options.js';
import { silentLogger } from '../src/shared/logger.js';
import type { MeshObject } from '../src/model/types.js';
import { syntheticBaseFiles } from './synthetic-base.js';
import { syntheticMesh, writeMeshFiles } from './synthetic-mesh.js';

interface Report {
  kind: 'ready' | 'versions' | 'version' | 'cpu';
  cpuMs?: number;
  reports?: Report[];
  transport?: 'repo' | 'xds';
  uuid?: string;
  version?: string;
  at?: number;
  count?: number;
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function cpuOver(ms: number): Promise<number> {
  const start = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / (performance.now() - t0);
}

async function main(): Promise<void> {
  const proxies = arg('proxies', 2000);
  const idleMs = arg('idle-seconds', 15) * 1000;
  const pin = process.argv.includes('--pin');
  // `--only repo` or `--only xds` connects the proxies over one transport, to see each path without the other's load.
  const onlyAt = process.argv.indexOf('--only');
  const transports = (onlyAt === -1 ? ['repo', 'xds'] : [process.argv[onlyAt + 1]]) as ('repo' | 'xds')[];
  const services = Math.max(1, Math.round(proxies / 10));
  const dir = await mkdtemp(join(tmpdir(), 'fsm-scale-'));
  const stateDir = await mkdtemp(join(tmpdir(), 'fsm-scale-state-'));
  const mesh = syntheticMesh({ services, podsPerService: 10, namespaces: 10, trafficTargets: services * 2, smi: true });
  await writeMeshFiles(mesh, dir);

  // `--base-files K` serves K base scripts (FSM's sidecar base has 36) instead of the built-in base's one.
  const baseFiles = arg('base-files', 0);
  const baseDir = baseFiles > 0 ? await mkdtemp(join(tmpdir(), 'fsm-scale-base-')) : undefined;
  if (baseDir) {
    for (const [path, bytes] of syntheticBaseFiles(baseFiles)) {
      await mkdir(dirname(join(baseDir, path)), { recursive: true });
      await writeFile(join(baseDir, path), bytes);
    }
  }
  const options = parseControllerOptions(
    [
      ...['--source', `file:${dir}`, '--state-dir', stateDir, '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--debug'],
      ...(baseDir ? ['--pipy-codebase', baseDir] : []),
    ],
    {},
  );
  if (options === 'help') throw new Error('unexpected help');
  const t0 = performance.now();
  // The controller's own account of each regeneration (queued, certificates, generate, publish).
  const updates: Record<string, unknown>[] = [];
  const logger = { ...silentLogger, info: (msg: string, fields?: Record<string, unknown>) => void (msg === 'proxies updated' && updates.push({ ...fields, at: Date.now() })) };
  const controller = createController(options, { logger });
  const ports = await controller.start();
  while (!controller.isReady()) await new Promise((r) => setTimeout(r, 50));
  const readyMs = performance.now() - t0;
  const all = controller.store.proxies();
  console.log(`mesh: ${services} services, ${all.length} proxies; ready in ${(readyMs / 1000).toFixed(2)} s; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB; Pipy base: ${baseFiles > 0 ? `${baseFiles} scripts (--base-files)` : "the built-in main.js"}`);

  const baselineCpu = await cpuOver(Math.min(idleMs, 10_000));

  const targets = all.map((p) => ({ uuid: p.uuid, cn: p.cnPrefix }));
  const here = fileURLToPath(new URL('./controller-scale-clients.js', import.meta.url));
  const latest = { repo: new Map<string, { version: string; at: number }>(), xds: new Map<string, { version: string; at: number }>() };
  const ready = { repo: 0, xds: 0 };
  /**
   * While a measurement waits: the version each affected proxy must reach and, per transport, who
   * has not reported it yet. Kept up to date as reports arrive, because this process is the
   * controller's: re-scanning 4,000 proxies every few milliseconds took a tenth of its thread.
   */
  let awaited: { want: Map<string, string | undefined>; waiting: Record<'repo' | 'xds', Set<string>> } | undefined;
  const cpuWaiters: ((ms: number) => void)[] = [];
  const children = transports.map((transport) => {
    const child = fork(here, [transport, String(transport === 'repo' ? ports.repo : ports.xds)], { stdio: 'inherit' });
    child.on('message', (m: Report) => {
      if (m.kind === 'ready') ready[transport] = m.count ?? 0;
      if (m.kind === 'cpu') cpuWaiters.shift()?.(m.cpuMs ?? NaN);
      for (const r of m.reports ?? []) {
        if (!r.uuid || r.version === undefined || r.at === undefined) continue;
        latest[transport].set(r.uuid, { version: r.version, at: r.at });
        if (awaited?.want.get(r.uuid) === r.version) awaited.waiting[transport].delete(r.uuid);
      }
    });
    child.send({ targets });
    return child;
  });
  if (pin) {
    // The controller gets CPU 0 to itself and the simulated proxies share CPU 1, as on a node
    // where the control plane has its own core (Istio sizes istiod at 1 vCPU for 2,000 sidecars).
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    for (const c of children) execFileSync('taskset', ['-a', '-p', '-c', '1', String(c.pid)], { stdio: 'ignore' });
  }
  const connectStart = performance.now();
  while (transports.some((tr) => ready[tr] < targets.length)) {
    if (performance.now() - connectStart > 600_000) throw new Error(`clients did not connect: repo ${ready.repo}, xds ${ready.xds}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`clients: ${ready.repo} Pipy-like over the repo protocol, ${ready.xds} xDS streams; connected in ${((performance.now() - connectStart) / 1000).toFixed(1)} s`);

  /** CPU milliseconds used so far by the controller (this process) and by each client process. */
  const cpuNow = async (): Promise<number[]> => {
    const own = process.cpuUsage();
    const out = [(own.user + own.system) / 1000];
    for (const c of children) out.push(await new Promise<number>((resolve) => (cpuWaiters.push(resolve), c.send({ cpu: true }))));
    return out;
  };

  const idleCpu = await cpuOver(idleMs);
  const rssIdle = process.memoryUsage().rss;

  /**
   * Applies one manifest edit and measures, for every proxy whose config it
   * changes, the time from the write to the proxy holding the new version on
   * each transport.
   */
  const measure = async (label: string, file: string, text: string): Promise<void> => {
    const before = new Map(targets.map((t) => [t.uuid, controller.configs().get(t.uuid)?.version]));
    const cpuBefore = await cpuNow();
    const changeAt = Date.now();
    await writeFile(file, text);
    const changed = () => targets.filter((t) => controller.configs().get(t.uuid)?.version !== before.get(t.uuid));
    const deadline = changeAt + 120_000;
    // The coalescer flushes once for one edit; the controller logs "proxies updated" when that regeneration ends.
    const logged = updates.length;
    while (Date.now() < deadline && updates.length === logged) await new Promise((r) => setTimeout(r, 10));
    const affected = changed();
    const want = new Map(affected.map((t) => [t.uuid, controller.configs().get(t.uuid)?.version]));
    // Proxies served by the steps published before the last one may have reported already.
    const pending = (tr: 'repo' | 'xds') => new Set(transports.includes(tr) ? affected.filter((t) => latest[tr].get(t.uuid)?.version !== want.get(t.uuid)).map((t) => t.uuid) : []);
    const waiting = { repo: pending('repo'), xds: pending('xds') };
    awaited = { want, waiting };
    while (Date.now() < deadline && waiting.repo.size + waiting.xds.size > 0) await new Promise((r) => setTimeout(r, 20));
    awaited = undefined;
    const convergedMs = Date.now() - changeAt;
    const cpu = (await cpuNow()).map((ms, i) => ms - (cpuBefore[i] ?? 0));
    const u = updates.at(-1) ?? {};
    const publishedAt = Number(u['at']);
    const sourceMs = publishedAt - changeAt - Number(u['sinceFirstEventMs']);
    console.log(`${label}: ${affected.length} proxies changed; the controller had published them ${publishedAt - changeAt} ms after the write`);
    console.log(`  controller: source event ${sourceMs} ms after the write, queued ${String(u['queuedMs'])} ms, certificates ${String(u['certificatesMs'])} ms, generate ${String(u['generateMs'])} ms, publish ${String(u['publishMs'])} ms (including sends to streams that were ready)`);
    const total = cpu.reduce((a, b) => a + b, 0);
    console.log(
      `  CPU until every proxy had it (${convergedMs} ms): controller ${cpu[0]?.toFixed(0)} ms, ${transports.map((tr, i) => `${tr} clients ${cpu[i + 1]?.toFixed(0)} ms`).join(', ')}; ${(total / 1000).toFixed(2)} CPU-s in all, ${(total / convergedMs / 2).toFixed(2)} of 2 cores`,
    );
    for (const transport of transports) {
      const lat = affected
        .map((t) => latest[transport].get(t.uuid))
        .filter((x): x is { version: string; at: number } => !!x && x.at >= changeAt)
        .map((x) => x.at - changeAt)
        .sort((a, b) => a - b);
      console.log(
        `  over ${transport}: ${lat.length}/${affected.length} have it; p50 ${percentile(lat, 50)} ms, p99 ${percentile(lat, 99)} ms, max ${lat.at(-1)} ms (target p99 ≤ 1000 ms: ${(percentile(lat, 99) / 1000).toFixed(2)}×)`,
      );
    }
  };

  // A pod IP change in one service: its clients, its servers and whoever admits it.
  const svc0 = mesh.byService[0] ?? [];
  const movedPod = svc0.find((o) => o.kind === 'Pod');
  const moved = svc0.map((o) => (o === movedPod ? { ...o, status: { ...(o.status as object), podIP: '10.255.0.1' } } : o));
  await measure('pod IP change in one service', join(dir, 'services', 'svc0.yaml'), moved.map((o) => stringify(o)).join('---\n'));

  // A MeshConfig edit that changes every proxy's config.
  const edited = mesh.common.map((o: MeshObject) => (o.kind === 'MeshConfig' ? { ...o, spec: { ...(o.spec as object), sidecar: { logLevel: 'warn' } } } : o));
  await measure('MeshConfig edit (every proxy)', join(dir, 'common.yaml'), edited.map((o) => stringify(o)).join('---\n'));

  const stats = (await (await fetch(`http://127.0.0.1:${ports.admin}/debug/stats`)).json()) as { repo: { reloadsSent: number } };
  console.log(`repo server: ${stats.repo.reloadsSent} reload notifications sent over admin links`);
  const rss = Math.max(rssIdle, process.memoryUsage().rss);
  console.log(`controller RSS: ${(rss / 2 ** 20).toFixed(0)} MiB with ${targets.length * transports.length} connections (target ≤ 1024 MiB: ${(rss / 2 ** 30).toFixed(2)}×; Istio publishes 1.5 GB for 2,000 sidecars)`);
  console.log(
    `idle CPU: ${(idleCpu * 100).toFixed(1)}% of a core with ${ready.repo} Pipy pollers (HEAD and status POST every 5 s) and ${ready.xds} idle xDS streams; baseline without clients ${(baselineCpu * 100).toFixed(1)}%`,
  );
  for (const c of children) c.kill();
  await controller.close();
  await rm(dir, { recursive: true, force: true });
  await rm(stateDir, { recursive: true, force: true });
  if (baseDir) await rm(baseDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
