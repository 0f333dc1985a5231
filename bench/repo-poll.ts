/**
 * Pipy repo server under a fleet of Pipy-like clients.
 *
 * The parent process runs the repo server with N proxy codebases; a child
 * process runs N clients that behave like Pipy 1.5.14 (HEAD poll, status
 * POST and WebSocket re-attempt every interval, a new TCP connection per
 * request). Printed figures:
 *  - idle server CPU (process.cpuUsage of the server process) per second of
 *    wall time, and requests served per second, while every client polls;
 *  - time from a version change to every client having the new files, for a
 *    mesh-wide change (all N codebases) and for single-proxy changes, p50/p99;
 *  - server RSS.
 *
 * Latencies include the clients' own work (they share the machine), so on a
 * loaded machine the server CPU figures are the comparable ones.
 *
 * Usage: node dist/bench/repo-poll.js [--clients 2000] [--interval-ms 5000] [--idle-seconds 20]
 *        [--single-changes 20] [--deliver-timeout-s 120]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createCodebase, createCodebaseResource, createLinearCache, TypeUrl, type Codebase } from '../cache/index.js';
import { createPipyRepoServer } from '../server/pipy-repo/index.js';
import { createPipyFetcher, type PipyFetcher } from '../test/support/pipy-fetcher.js';

interface Args {
  clients: number;
  intervalMs: number;
  idleSeconds: number;
  singleChanges: number;
  deliverTimeoutS: number;
}

type ToChild = { op: 'arm'; indexes: number[]; timeoutMs: number } | { op: 'stop' };
type FromChild =
  | { op: 'started'; linked: number }
  | { op: 'armed' }
  | { op: 'loaded'; times: number[]; failed: number }
  | { op: 'stopped' };

const nameOf = (i: number) => `fsm-sidecar/${String(i).padStart(8, '0')}-0000-4000-8000-000000000000.sidecar.sa${i % 50}.ns${i % 10}`;
const now = () => performance.timeOrigin + performance.now();

function parseArgs(argv: string[]): Args {
  const get = (flag: string, def: number) => {
    const i = argv.indexOf(flag);
    const v = i >= 0 ? Number(argv[i + 1]) : def;
    if (!Number.isFinite(v) || v < 0) throw new Error(`invalid ${flag}`);
    return v;
  };
  return {
    clients: get('--clients', 2000),
    intervalMs: get('--interval-ms', 5000),
    idleSeconds: get('--idle-seconds', 20),
    singleChanges: get('--single-changes', 20),
    deliverTimeoutS: get('--deliver-timeout-s', 120),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

// ---- child: the Pipy-like fleet --------------------------------------------

async function runClients(port: number, args: Args): Promise<void> {
  const send = (m: FromChild) => process.send?.(m);
  const fetchers: PipyFetcher[] = [];
  const starts: Promise<void>[] = [];
  for (let i = 0; i < args.clients; i++) {
    const f = createPipyFetcher({ url: `http://127.0.0.1:${port}/repo/${nameOf(i)}/`, intervalMs: args.intervalMs, requestTimeoutMs: 30_000 });
    fetchers.push(f);
    // Pods start at different times: spread the first loads (and so the polls) over one interval.
    starts.push(new Promise((r) => setTimeout(r, (i * args.intervalMs) / args.clients)).then(() => f.start()));
  }
  const progress = setInterval(() => {
    const failing = fetchers.filter((f) => f.errors > 0);
    console.error(
      `clients: ${fetchers.filter((f) => f.loads > 0).length} loaded, ${fetchers.filter((f) => f.linked).length} linked, ` +
        `${failing.length} with errors${failing[0] ? ` (e.g. ${failing[0].lastError})` : ''}`,
    );
  }, 10_000);
  await Promise.all(starts);
  clearInterval(progress);
  while (fetchers.some((f) => !f.linked)) await new Promise((r) => setTimeout(r, 100));
  send({ op: 'started', linked: fetchers.length });

  process.on('message', (msg: ToChild) => {
    if (msg.op === 'stop') {
      void Promise.all(fetchers.map((f) => f.close())).then(() => {
        send({ op: 'stopped' });
        process.disconnect();
      });
      return;
    }
    const waits = msg.indexes.map((i) =>
      (fetchers[i] as PipyFetcher).nextLoad(msg.timeoutMs).then(
        () => now(),
        () => NaN,
      ),
    );
    send({ op: 'armed' });
    void Promise.all(waits).then((times) => send({ op: 'loaded', times: times.filter((t) => !Number.isNaN(t)), failed: times.filter(Number.isNaN).length }));
  });
}

// ---- parent: the server and the measurements --------------------------------

function next(child: ChildProcess, op: FromChild['op']): Promise<FromChild> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromChild) => {
      if (m.op !== op) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code: number | null) => reject(new Error(`client process exited (${code}) while waiting for ${op}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function runServer(args: Args): Promise<void> {
  const base = new Map<string, Uint8Array>([
    ['/main.js', Buffer.from("((config = JSON.decode(pipy.load('config.json'))) => pipy())()\n")],
    ['/modules/inbound-main.js', Buffer.from('// '.padEnd(4000, 'x') + '\n')],
  ]);
  let generation = 0;
  const codebases = new Map<string, Codebase>();
  const cache = createLinearCache(TypeUrl.PipyCodebase);
  const publish = (i: number) => {
    const config = { Spec: { generation, proxy: i }, Inbound: { TrafficMatches: { 8080: { Port: 8080, Protocol: 'http' } } }, padding: 'y'.repeat(2000) };
    codebases.set(nameOf(i), createCodebase({ layers: [base, new Map([['/config.json', Buffer.from(JSON.stringify(config))]])] }));
  };
  /** Publishes the named codebases into the cache the server watches, in one update (as the controller does per step). */
  const flush = (indexes: readonly number[]) =>
    cache.updateResources(indexes.map((i) => createCodebaseResource(nameOf(i), codebases.get(nameOf(i)) as Codebase)), []);
  for (let i = 0; i < args.clients; i++) publish(i);
  flush([...Array(args.clients).keys()]);
  // Server-side view of delivery: when a client has fetched the last file of the awaited version.
  const awaited = new Map<string, string>();
  const served: number[] = [];
  const server = createPipyRepoServer({
    listen: '127.0.0.1:0',
    codebases: cache,
    onFetched: (e) => {
      if (awaited.get(e.codebase) !== e.version) return;
      awaited.delete(e.codebase);
      served.push(now());
    },
  });
  const { port } = await server.start();

  const child = fork(fileURLToPath(import.meta.url), ['--child', String(port), ...process.argv.slice(2)], { stdio: 'inherit' });
  const t0 = now();
  const started = (await next(child, 'started')) as Extract<FromChild, { op: 'started' }>;
  console.log(`${started.linked} clients loaded and linked in ${fmt(now() - t0)}; server open links ${server.stats().openLinks}`);

  // Idle: every client polls, reports and keeps its link; nothing changes.
  const req0 = server.stats().requests;
  const cpu0 = process.cpuUsage();
  const wall0 = now();
  await new Promise((r) => setTimeout(r, args.idleSeconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallS = (now() - wall0) / 1000;
  const reqs = server.stats().requests - req0;
  const cpuMsPerS = (cpu.user + cpu.system) / 1000 / wallS;
  console.log(
    `idle over ${wallS.toFixed(1)} s: server CPU ${cpuMsPerS.toFixed(1)} ms/s (${(cpuMsPerS / 10).toFixed(2)}% of one core), ` +
      `${(reqs / wallS).toFixed(0)} requests/s, ${(cpuMsPerS / (reqs / wallS)).toFixed(3)} ms CPU per request`,
  );

  const change = async (indexes: number[]) => {
    child.send({ op: 'arm', indexes, timeoutMs: args.deliverTimeoutS * 1000 } satisfies ToChild);
    await next(child, 'armed');
    generation++;
    const cpuStart = process.cpuUsage();
    const start = now();
    served.length = 0;
    for (const i of indexes) {
      publish(i);
      awaited.set(nameOf(i), (codebases.get(nameOf(i)) as Codebase).version);
    }
    flush(indexes);
    const loaded = (await next(child, 'loaded')) as Extract<FromChild, { op: 'loaded' }>;
    const cpu = process.cpuUsage(cpuStart);
    return {
      latencies: loaded.times.map((t) => t - start).sort((a, b) => a - b),
      served: served.map((t) => t - start).sort((a, b) => a - b),
      failed: loaded.failed,
      serverCpuMs: (cpu.user + cpu.system) / 1000,
    };
  };

  const all = await change([...Array(args.clients).keys()]);
  console.log(
    `mesh-wide change (${args.clients} codebases): p50 ${fmt(percentile(all.latencies, 50))}, p99 ${fmt(percentile(all.latencies, 99))}, ` +
      `max ${fmt(percentile(all.latencies, 100))}, not delivered within ${args.deliverTimeoutS} s: ${all.failed}; ` +
      `server CPU for the change (incl. ongoing polls) ${all.serverCpuMs.toFixed(0)} ms`,
  );
  console.log(
    `  server side (last file of the new version served): p50 ${fmt(percentile(all.served, 50))}, p99 ${fmt(percentile(all.served, 99))}`,
  );

  const singles: number[] = [];
  for (let k = 0; k < args.singleChanges; k++) {
    const r = await change([(k * 7919) % args.clients]);
    singles.push(...r.latencies);
  }
  singles.sort((a, b) => a - b);
  if (singles.length) {
    console.log(`single-proxy changes (${singles.length}): p50 ${fmt(percentile(singles, 50))}, p99 ${fmt(percentile(singles, 99))}`);
  }
  console.log(`server RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB; reloads sent ${server.stats().reloadsSent}`);

  child.send({ op: 'stop' } satisfies ToChild);
  await next(child, 'stopped').catch(() => undefined);
  await server.close();
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await runClients(Number(argv[1]), parseArgs(argv.slice(2)));
} else {
  await runServer(parseArgs(argv));
}
