/**
 * What serving Pipy sidecars costs: server CPU per sync and per HEAD poll,
 * for fsm-controller as a whole, for its repo server module alone, for the
 * cheapest node:http server giving the same answers, for the least Node
 * can spend answering them (a node:net server writing pre-built bytes with
 * no parsing, limits or timeouts: the floor under ours) and, with
 * `--pipy PATH`, for pipy-repo (Pipy in repo mode, what FSM runs), all
 * holding the same codebases byte for byte, measured in the same run.
 *
 * The controller runs on a synthetic mesh (proxies / 10 services × 10 pods,
 * SMI) with the built-in Pipy base, `--base DIR` (e.g. FSM's sidecar
 * scripts, pkg/sidecar/v1/providers/pipy/repo/codebase/) or `--base-files K`
 * synthetic scripts. Its codebases are read back over the repo protocol
 * and handed to the other servers; every server is then checked to serve
 * every codebase identically (manifest paths and every file's bytes).
 *
 * Each server runs in its own process; its CPU is read from
 * /proc/<pid>/task/<tid>/schedstat (all threads, nanoseconds), so this
 * benchmark needs Linux. One client process (bench/repo-serve-clients.ts)
 * plays the sidecars: a sync is a new connection, the manifest, then every
 * listed file one at a time on that connection, as Pipy 1.5.14 fetches a
 * codebase; a poll is a new connection with one HEAD of the manifest (2,000
 * sidecars polling every 5 s make 400 a second). With pinning (default,
 * `--no-pin` to turn off) servers run on CPU 0, the client and this process
 * on CPU 1. Nothing forces a GC while measuring: after a warm-up, R rounds
 * each run S syncs then P polls against every server in turn (the order
 * rotates per round; each measured job follows a short unmeasured one, so
 * a server that idled while the others ran is serving again), and figures
 * are medians over the rounds with their range. Memory: each server's RSS once loaded, and the repo module's heap
 * plus file bytes per codebase.
 *
 * Exits non-zero if any response was wrong (status other than 200, no etag,
 * a body not matching content-length, no answer within 30 s) or a server
 * served different bytes.
 *
 * Usage: node dist/bench/repo-serve.js [--proxies 2000] [--base DIR | --base-files K]
 *        [--syncs 2000] [--polls 2000] [--concurrency 50] [--rounds 7] [--pipy PATH]
 *        [--dist DIR] [--cpu-prof DIR] [--node-flags A,B] [--no-pin]
 * `--dist DIR` adds another build's controller and repo module (its dist/, e.g. the
 * commit before a change) as two more servers of the same run; `--syncs 0` or
 * `--polls 0` measures one kind of request; `--cpu-prof DIR` writes a V8 CPU
 * profile of each Node server's measured rounds (warm-ups excluded) to DIR;
 * `--node-flags` passes Node/V8 flags to the Node servers.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPipyRepo, type PipyRepo } from './pipy-repo-process.js';
import { connectRawHttp } from './raw-http.js';
import type { ClientJob, ClientNames, ClientResult } from './repo-serve-clients.js';
import type { ControllerStart, HarvestedCodebases, ServerMessage } from './repo-serve-servers.js';
import { syntheticBaseFiles } from './synthetic-base.js';

interface Args {
  proxies: number;
  base: string | undefined;
  baseFiles: number;
  syncs: number;
  polls: number;
  concurrency: number;
  rounds: number;
  pipy: string | undefined;
  dist: string | undefined;
  pin: boolean;
  cpuProf: string | undefined;
  nodeFlags: string[];
}

const WARMUP_SYNCS = 2000;
const WARMUP_POLLS = 5000;
/**
 * Unmeasured requests right before each measured job: a server that sat idle while the others
 * were measured is brought back to serving (a controller serving 2,000 sidecars never idles),
 * so the figures are steady state for every server alike.
 */
const REWARM_SYNCS = 200;
const REWARM_POLLS = 500;

function parseArgs(argv: string[]): Args {
  const str = (flag: string, flagLike = false) => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (!v || (!flagLike && v.startsWith('--'))) throw new Error(`${flag} needs a value`);
    return v;
  };
  const int = (flag: string, def: number, min: number) => {
    const v = Number(str(flag) ?? def);
    if (!Number.isInteger(v) || v < min) throw new Error(`invalid ${flag} (an integer >= ${min})`);
    return v;
  };
  const args = {
    proxies: int('--proxies', 2000, 10),
    base: str('--base'),
    baseFiles: int('--base-files', 0, 0),
    syncs: int('--syncs', 2000, 0),
    polls: int('--polls', 2000, 0),
    concurrency: int('--concurrency', 50, 1),
    rounds: int('--rounds', 7, 1),
    pipy: str('--pipy'),
    dist: str('--dist'),
    pin: !argv.includes('--no-pin'),
    cpuProf: str('--cpu-prof'),
    nodeFlags: (str('--node-flags', true) ?? '').split(',').filter(Boolean),
  };
  if (args.base && args.baseFiles) throw new Error('--base and --base-files exclude each other');
  if (args.syncs + args.polls === 0) throw new Error('nothing to measure: --syncs and --polls are both 0');
  return args;
}

// ---- processes --------------------------------------------------------------

/** CPU time (ns) every thread of `pid` has used so far. */
function cpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read: its time is gone from the process's total too
    }
  }
  return ns;
}

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
  return Number(kb) / 1024;
}

function pinTo(cpu: number, pid: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

function nextMessage<T>(child: ChildProcess, accept: (m: T) => boolean, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T) => {
      if (!accept(m)) return;
      done();
      resolve(m);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`${what}: process exited (${code})`));
    };
    const done = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

interface BenchServer {
  readonly label: string;
  readonly pid: number;
  readonly port: number;
  /** The Node servers answer memory questions; pipy-repo is read from /proc only. */
  readonly child?: ChildProcess;
  close(): Promise<void>;
}

/** Node flags of the server processes (`--node-flags A,B` adds some, e.g. V8 heap settings to try). */
let serverFlags = ['--expose-gc'];

async function forkServer(kind: 'controller' | 'module' | 'baseline' | 'floor', label: string, start: ControllerStart | HarvestedCodebases, dist?: string): Promise<BenchServer & { names: string[] }> {
  const child = fork(here('./repo-serve-servers.js'), dist ? [kind, dist] : [kind], { execArgv: serverFlags, serialization: 'advanced', stdio: 'inherit' });
  const listening = nextMessage<ServerMessage>(child, (m) => m.kind === 'listening', label);
  child.send({ start });
  const m = (await listening) as Extract<ServerMessage, { kind: 'listening' }>;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    label,
    pid: child.pid as number,
    port: m.port,
    names: m.names,
    child,
    close: () => {
      if (child.connected) child.disconnect();
      return exited;
    },
  };
}

async function memoryOf(s: BenchServer): Promise<string> {
  const rss = `RSS ${rssMiB(s.pid).toFixed(0)} MiB`;
  if (!s.child) return rss;
  const m = nextMessage<ServerMessage>(s.child, (x) => x.kind === 'memory', s.label);
  s.child.send({ memory: true });
  const mem = (await m) as Extract<ServerMessage, { kind: 'memory' }>;
  const perCodebase = mem.heapPerCodebase === undefined ? '' : `; ${(mem.heapPerCodebase / 1024).toFixed(1)} KiB per codebase held`;
  return `${rss}, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB + buffers ${(mem.arrayBuffers / 2 ** 20).toFixed(0)} MiB after a full GC${perCodebase}`;
}

// ---- the codebases ------------------------------------------------------------

/** Reads every codebase over the repo protocol, the way a sidecar does, and splits the files every codebase has alike from each one's own. */
async function harvest(port: number, names: readonly string[]): Promise<HarvestedCodebases> {
  const all: { name: string; main: string; files: Map<string, Buffer> }[] = [];
  for (const name of names) all.push({ name, ...(await syncOnce(port, name)) });
  const first = all[0];
  if (!first) throw new Error('the controller serves no codebases');
  const shared = [...first.files].filter(([path, bytes]) => all.every((c) => c.files.get(path)?.equals(bytes)));
  const sharedPaths = new Set(shared.map(([p]) => p));
  return {
    main: first.main,
    base: shared,
    nodes: all.map((c) => ({ name: c.name, files: [...c.files].filter(([p]) => !sharedPaths.has(p)) })),
  };
}

async function syncOnce(port: number, name: string): Promise<{ main: string; files: Map<string, Buffer> }> {
  const conn = await connectRawHttp(port);
  try {
    const base = `/repo/${name}/`;
    const manifest = await conn.request('GET', base);
    if (manifest.status !== 200) throw new Error(`GET ${base}: ${manifest.status}`);
    const paths = manifest.body.toString('utf8').split('\n').filter(Boolean);
    const files = new Map<string, Buffer>();
    for (const p of paths) {
      const res = await conn.request('GET', `${base}${p.slice(1)}`);
      if (res.status !== 200) throw new Error(`GET ${base}${p.slice(1)}: ${res.status}`);
      files.set(p, Buffer.from(res.body));
    }
    return { main: paths[0] ?? '', files };
  } finally {
    conn.close();
  }
}

/** Every codebase as `server` serves it must have the same main file, paths and bytes as harvested. */
async function verify(server: BenchServer, h: HarvestedCodebases): Promise<string[]> {
  const problems: string[] = [];
  const base = new Map(h.base);
  for (const node of h.nodes) {
    const want = new Map([...base, ...node.files]);
    const got = await syncOnce(server.port, node.name);
    if (got.main !== h.main) problems.push(`${server.label}: ${node.name}: main ${got.main}, want ${h.main}`);
    if (got.files.size !== want.size) problems.push(`${server.label}: ${node.name}: ${got.files.size} files, want ${want.size}`);
    for (const [path, bytes] of want) {
      if (!got.files.get(path)?.equals(bytes)) problems.push(`${server.label}: ${node.name}${path} differs`);
    }
    if (problems.length >= 5) break;
  }
  return problems;
}

async function baseDirOf(args: Args): Promise<{ dir: string | undefined; cleanup: () => Promise<void> }> {
  if (!args.baseFiles) return { dir: args.base, cleanup: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'fsm-repo-serve-base-'));
  for (const [path, bytes] of syntheticBaseFiles(args.baseFiles)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile() && !e.name.startsWith('.')) n++;
  return n;
}

// ---- measurement ------------------------------------------------------------

interface Figures {
  perSync: number[];
  perRequest: number[];
  perPoll: number[];
  syncsPerS: number[];
  clientPerSync: number[];
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function runJob(child: ChildProcess, job: ClientJob): Promise<ClientResult> {
  const result = nextMessage<ClientResult>(child, () => true, `client (${job.kind} job)`);
  child.send(job);
  return result;
}

async function main(args: Args): Promise<void> {
  serverFlags = [...serverFlags, ...args.nodeFlags];
  const base = await baseDirOf(args);
  const servers: BenchServer[] = [];
  const client = fork(here('./repo-serve-clients.js'), [], { stdio: 'inherit' });
  try {
    const baseLabel = args.base ? `${await countFiles(args.base)} files from ${args.base}` : args.baseFiles ? `${args.baseFiles} synthetic scripts` : 'the built-in base';
    const start: ControllerStart = { proxies: args.proxies, baseDir: base.dir };
    const controller = await forkServer('controller', 'controller', start);
    servers.push(controller);
    const harvested = await harvest(controller.port, controller.names);
    // Another build's controller serves its own codebases (same mesh, its own certificates); the rest serve the harvested ones.
    const other = args.dist ? await forkServer('controller', 'controller (--dist)', start, args.dist) : undefined;
    if (other) servers.push(other);
    servers.push(await forkServer('module', 'repo module', harvested));
    if (args.dist) servers.push(await forkServer('module', 'repo module (--dist)', harvested, args.dist));
    servers.push(await forkServer('baseline', 'node:http', harvested));
    servers.push(await forkServer('floor', 'node:net floor', harvested));
    let pipy: PipyRepo | undefined;
    if (args.pipy) {
      pipy = await startPipyRepo(args.pipy, harvested);
      servers.push({ label: 'pipy-repo', pid: pipy.pid, port: pipy.port, close: pipy.close });
    }

    const names = harvested.nodes.map((n) => n.name);
    const baseBytes = harvested.base.reduce((n, [, b]) => n + b.byteLength, 0);
    const ownBytes = harvested.nodes.reduce((n, c) => n + c.files.reduce((m, [, b]) => m + b.byteLength, 0), 0) / names.length;
    const requestsPerSync = 1 + harvested.base.length + (harvested.nodes[0]?.files.length ?? 0);
    console.log(
      `${names.length} codebases from the controller (Pipy base: ${baseLabel}): ${harvested.base.length} files alike in every codebase (${(baseBytes / 1024).toFixed(1)} KB) + ` +
        `${harvested.nodes[0]?.files.length ?? 0} of its own (${(ownBytes / 1024).toFixed(1)} KB avg); a sync is ${requestsPerSync} requests`,
    );
    if (!args.pipy) console.log('pipy-repo column skipped: no --pipy PATH given (a Pipy 1.5.14 binary; Pipy is in no registry, build it from flomesh-io/pipy)');

    // Every server but the controller (the source) must serve exactly what was harvested; this also warms them.
    const problems = (await Promise.all(servers.filter((s) => s !== controller && s !== other).map((s) => verify(s, harvested)))).flat();
    if (problems.length) throw new Error(`servers differ:\n  ${problems.join('\n  ')}`);
    console.log(`checked: ${servers.filter((s) => s !== controller && s !== other).map((s) => s.label).join(', ')} serve every codebase byte for byte as the controller does`);

    if (args.pin) {
      try {
        for (const s of servers) pinTo(0, s.pid);
        pinTo(1, client.pid as number);
        pinTo(1, process.pid);
        console.log('pinned: servers on CPU 0, the client and this process on CPU 1');
      } catch (err) {
        console.log(`not pinned (taskset failed: ${err instanceof Error ? err.message : String(err)})`);
      }
    }
    client.send({ names } satisfies ClientNames);

    let failures = 0;
    const samples: string[] = [];
    const job = async (s: BenchServer, kind: ClientJob['kind'], count: number, offset: number) => {
      const cpu0 = cpuNs(s.pid);
      const t0 = performance.now();
      const r = await runJob(client, { port: s.port, kind, offset, count, concurrency: args.concurrency });
      const wallMs = performance.now() - t0;
      const cpuUs = (cpuNs(s.pid) - cpu0) / 1000;
      failures += r.failures;
      samples.push(...r.samples.map((x) => `${s.label}: ${x}`));
      return { cpuUs, wallMs, requests: r.requests, clientCpuUs: r.cpuUs };
    };

    for (const s of servers) {
      if (args.syncs) await job(s, 'sync', WARMUP_SYNCS, names.length >> 1);
      if (args.polls) await job(s, 'poll', WARMUP_POLLS, names.length >> 1);
    }
    // Profiles cover the measured rounds only: startup, checks and warm-ups are not the steady state.
    const profiled = args.cpuProf ? servers.filter((s) => s.child) : [];
    if (args.cpuProf) await mkdir(args.cpuProf, { recursive: true });
    for (const s of profiled) s.child?.send({ profile: 'start' });
    const results = new Map(servers.map((s): [BenchServer, Figures] => [s, { perSync: [], perRequest: [], perPoll: [], syncsPerS: [], clientPerSync: [] }]));
    console.log(`${args.rounds} rounds of ${args.syncs} syncs then ${args.polls} polls per server, ${args.concurrency} in flight; server CPU per operation:`);
    for (let round = 0; round < args.rounds; round++) {
      // Rotate the order: no server always runs right after the same other one.
      const order = servers.map((_, i) => servers[(i + round) % servers.length] as BenchServer);
      const line: string[] = [];
      for (const s of order) {
        const r = results.get(s) as Figures;
        const done: string[] = [];
        if (args.syncs) {
          await job(s, 'sync', REWARM_SYNCS, names.length >> 1);
          const syncs = await job(s, 'sync', args.syncs, 0);
          r.perSync.push(syncs.cpuUs / args.syncs);
          r.perRequest.push(syncs.cpuUs / syncs.requests);
          r.syncsPerS.push(args.syncs / (syncs.wallMs / 1000));
          r.clientPerSync.push(syncs.clientCpuUs / args.syncs);
          done.push(`${(syncs.cpuUs / args.syncs).toFixed(0)} µs/sync`);
        }
        if (args.polls) {
          await job(s, 'poll', REWARM_POLLS, names.length >> 1);
          const polls = await job(s, 'poll', args.polls, 0);
          r.perPoll.push(polls.cpuUs / args.polls);
          done.push(`${(polls.cpuUs / args.polls).toFixed(0)} µs/poll`);
        }
        line.push(`${s.label} ${done.join(' ')}`);
      }
      console.log(`  round ${round + 1}: ${line.join(', ')}`);
    }

    for (const s of profiled) {
      const file = join(args.cpuProf as string, `${s.label.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
      const written = nextMessage<ServerMessage>(s.child as ChildProcess, (m) => m.kind === 'profiled', s.label);
      s.child?.send({ profile: file });
      await written;
      console.log(`profile of ${s.label}: ${file}`);
    }
    const fig = (xs: number[], digits: number) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
    const byLabel = (label: string) => servers.find((s) => s.label === label);
    const refs = [byLabel('pipy-repo'), byLabel('node:net floor'), byLabel('node:http')].filter((s): s is BenchServer => !!s);
    const table = (title: string, unit: string, digits: number, pick: (f: Figures) => number[]) => {
      if (pick(results.get(servers[0] as BenchServer) as Figures).length === 0) return;
      console.log(`${title} (${unit}, median (min–max) of ${args.rounds} rounds):`);
      for (const s of servers) {
        const xs = pick(results.get(s) as Figures);
        const ratios = refs.filter((r) => r !== s).map((r) => `${(median(xs) / median(pick(results.get(r) as Figures))).toFixed(2)}× ${r.label}`);
        console.log(`  ${s.label.padEnd(22)} ${fig(xs, digits).padEnd(22)} ${ratios.join(', ')}`);
      }
    };
    table('server CPU per sync', 'µs', 0, (f) => f.perSync);
    table('server CPU per request of a sync', 'µs', 1, (f) => f.perRequest);
    table('server CPU per HEAD poll', 'µs', 0, (f) => f.perPoll);
    table('syncs per second of wall time', 'syncs/s', 0, (f) => f.syncsPerS);
    // Both processes share the machine: when the client costs about as much as the server, wall time is not the server's alone.
    table('client CPU per sync (not the server)', 'µs', 0, (f) => f.clientPerSync);
    console.log('memory once loaded and measured:');
    for (const s of servers) console.log(`  ${s.label.padEnd(22)} ${await memoryOf(s)}`);
    console.log(`(a codebase's own files are ${(ownBytes / 1024).toFixed(1)} KiB; the ${harvested.base.length} base files ${(baseBytes / 1024).toFixed(1)} KiB, held once)`);
    console.log(`failures: ${failures}`);
    if (failures > 0) {
      for (const x of samples) console.error(`  ${x}`);
      process.exitCode = 1;
    }
  } finally {
    if (client.connected) client.disconnect();
    await Promise.all(servers.map((s) => s.close()));
    await base.cleanup();
  }
}

await main(parseArgs(process.argv.slice(2)));
