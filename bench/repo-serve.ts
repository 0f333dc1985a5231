/**
 * What the Pipy repo server costs per sync, against the cheapest node:http
 * server that answers the same requests, measured in the same run.
 *
 * This process builds N proxy codebases (K shared base files of ~2 KB of JS
 * plus a per-proxy `/config.json` of ~6 KB) and serves them from two servers
 * on their own ports: ours (`createPipyRepoServer`) and a baseline node:http
 * server answering from a Map of URL to precomputed body and headers (no
 * Date, 404 for anything else). One child process (bench/repo-serve-clients.ts)
 * plays the Pipy 1.5.14 sidecars: a sync is a new connection, the manifest,
 * then every listed file one at a time on that connection; a poll is a new
 * connection with one HEAD of the manifest. Per server, after a warm-up:
 * S syncs then P polls with C in flight, repeated R rounds alternating the
 * servers (A B A B …); figures are medians over the rounds.
 *
 * Printed per server: server-process CPU (user+system) per sync, per request
 * of the syncs, per poll, and syncs per second of wall time, with the ratio
 * ours/baseline; also the client process's CPU per sync, since both
 * processes share the machine and wall time is bound by the slower side.
 * Exits non-zero if any response was wrong (status other than 200, no etag,
 * a body not matching content-length, or no complete answer within 30 s).
 * The clients (bench/raw-http.ts) send `host` but not Pipy's
 * `connection: keep-alive`, which HTTP/1.1 implies anyway.
 *
 * Usage: node dist/bench/repo-serve.js [--proxies 2000] [--base-files 1] [--syncs 2000]
 *        [--polls 2000] [--concurrency 50] [--rounds 3]
 * (or `npm run bench -- repo-serve [args]`; FSM's real sidecar base has 36 JS modules: --base-files 36)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createCodebase, createCodebaseResource, createLinearCache, TypeUrl, type Codebase } from '../cache/index.js';
import { createPipyRepoServer } from '../server/pipy-repo/index.js';
import type { ClientJob, ClientNames, ClientResult } from './repo-serve-clients.js';
import { syntheticBaseFiles } from './synthetic-base.js';

interface Args {
  proxies: number;
  baseFiles: number;
  syncs: number;
  polls: number;
  concurrency: number;
  rounds: number;
}

const WARMUP_SYNCS = 200;
const WARMUP_POLLS = 200;

function parseArgs(argv: string[]): Args {
  const get = (flag: string, def: number, min: number) => {
    const i = argv.indexOf(flag);
    const v = i >= 0 ? Number(argv[i + 1]) : def;
    if (!Number.isInteger(v) || v < min) throw new Error(`invalid ${flag} (an integer >= ${min})`);
    return v;
  };
  return {
    proxies: get('--proxies', 2000, 1),
    baseFiles: get('--base-files', 1, 1),
    syncs: get('--syncs', 2000, 1),
    polls: get('--polls', 2000, 1),
    concurrency: get('--concurrency', 50, 1),
    rounds: get('--rounds', 3, 1),
  };
}

// ---- the codebases ----------------------------------------------------------

const nameOf = (i: number) =>
  `fsm-sidecar/${i.toString(16).padStart(8, '0')}-5e7a-4c1d-9b2f-${(i * 2654435761 >>> 0).toString(16).padStart(12, '0')}.sidecar.sa${i % 50}.ns${i % 10}`;

/** A ~6 KB per-proxy config.json: certificate material and outbound services that differ per proxy. */
function configOf(i: number): Uint8Array {
  const pseudo = (seed: number, len: number) => {
    let x = (seed * 2654435761) >>> 0;
    let out = '';
    while (out.length < len) {
      x = (x * 1103515245 + 12345) >>> 0;
      out += x.toString(36);
    }
    return out.slice(0, len);
  };
  const config = {
    Ts: '2026-11-22T00:00:00Z',
    Version: pseudo(i, 16),
    Spec: { SidecarLogLevel: 'error', Probes: { LivenessProbes: null }, FeatureFlags: { EnableSidecarActiveHealthChecks: false } },
    Certificate: { CommonName: `${nameOf(i).slice(12)}.cluster.local`, Expiration: '2026-11-23T00:00:00Z', CertChain: pseudo(i + 1, 1700), PrivateKey: pseudo(i + 2, 600), IssuingCA: pseudo(7, 700) },
    Inbound: { TrafficMatches: { 8080: { Port: 8080, Protocol: 'http', HttpHostPort2Service: { [`svc-${i}.ns${i % 10}:8080`]: `svc-${i}.ns${i % 10}` } } } },
    Outbound: {
      TrafficMatches: Object.fromEntries(
        Array.from({ length: 28 }, (_, s) => {
          const svc = `svc-${(i + s * 37) % 2000}.ns${s % 10}`;
          return [`${svc}:8080`, { Port: 8080, Protocol: 'http', Endpoints: { [`10.${s}.${(i >> 8) & 255}.${i & 255}:8080`]: { Weight: 100 } } }];
        }),
      ),
    },
  };
  return Buffer.from(JSON.stringify(config));
}

// ---- the servers ------------------------------------------------------------

interface BenchServer {
  readonly label: string;
  readonly port: number;
  close(): Promise<void>;
}

async function startOurs(codebases: ReadonlyMap<string, Codebase>): Promise<BenchServer> {
  const cache = createLinearCache(TypeUrl.PipyCodebase);
  cache.updateResources([...codebases].map(([name, cb]) => createCodebaseResource(name, cb)), []);
  const server = createPipyRepoServer({ listen: '127.0.0.1:0', codebases: cache });
  const { port } = await server.start();
  return { label: 'ours', port, close: () => server.close() };
}

/** The cheapest node:http server giving the same answers: one Map lookup per request. */
async function startBaseline(codebases: ReadonlyMap<string, Codebase>): Promise<BenchServer> {
  const table = new Map<string, { body: Buffer; headers: { etag: string; 'content-length': string } }>();
  const add = (url: string, etag: string, bytes: Uint8Array) => {
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    table.set(url, { body, headers: { etag, 'content-length': String(body.length) } });
  };
  for (const [name, cb] of codebases) {
    // The manifest as the protocol defines it: the main file first, then the other paths sorted.
    const rest = [...cb.files.keys()].filter((p) => p !== cb.main).sort();
    add(`/repo/${name}/`, cb.version, Buffer.from([cb.main, ...rest].join('\n') + '\n'));
    for (const [path, bytes] of cb.files) add(`/repo/${name}${path}`, cb.version, bytes);
  }
  const server: Server = createServer((req, res) => {
    res.sendDate = false;
    const entry = table.get(req.url ?? '');
    if (entry) {
      res.writeHead(200, entry.headers);
      res.end(entry.body);
    } else {
      res.writeHead(404, { 'content-length': '0' });
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    label: 'baseline node:http',
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- measurement ------------------------------------------------------------

/** One server's figures, one entry per round. */
interface Figures {
  perSync: number[];
  perRequest: number[];
  perPoll: number[];
  syncsPerS: number[];
  clientPerSync: number[];
}

interface Measured {
  cpuUs: number;
  wallMs: number;
  requests: number;
  clientCpuUs: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function runJob(child: ChildProcess, job: ClientJob): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const onMessage = (r: ClientResult) => {
      child.off('exit', onExit);
      resolve(r);
    };
    const onExit = (code: number | null) => reject(new Error(`client process exited (${code}) during a ${job.kind} job`));
    child.once('message', onMessage);
    child.once('exit', onExit);
    child.send(job);
  });
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(args: Args): Promise<void> {
  const base = syntheticBaseFiles(args.baseFiles);
  const codebases = new Map<string, Codebase>();
  let configBytes = 0;
  for (let i = 0; i < args.proxies; i++) {
    const config = configOf(i);
    configBytes += config.byteLength;
    codebases.set(nameOf(i), createCodebase({ layers: [base, new Map([['/config.json', config]])] }));
  }
  const baseBytes = [...base.values()].reduce((n, b) => n + b.byteLength, 0);
  const requestsPerSync = args.baseFiles + 2;
  console.log(
    `K=${args.baseFiles} base files (${(baseBytes / args.baseFiles / 1024).toFixed(1)} KB each) + /config.json (${(configBytes / args.proxies / 1024).toFixed(1)} KB avg); ` +
      `${args.proxies} codebases; ${args.syncs} syncs of ${requestsPerSync} requests and ${args.polls} polls per measurement, ` +
      `concurrency ${args.concurrency}, ${args.rounds} rounds`,
  );

  const servers = [await startOurs(codebases), await startBaseline(codebases)];
  const child = fork(fileURLToPath(new URL('./repo-serve-clients.js', import.meta.url)), [], { stdio: 'inherit' });
  child.send({ names: [...codebases.keys()] } satisfies ClientNames);

  let failures = 0;
  const samples: string[] = [];
  const job = async (server: BenchServer, kind: ClientJob['kind'], count: number, offset: number): Promise<Measured> => {
    gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await runJob(child, { port: server.port, kind, offset, count, concurrency: args.concurrency });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    failures += r.failures;
    samples.push(...r.samples.map((s) => `${server.label}: ${s}`));
    return { cpuUs: cpu.user + cpu.system, wallMs, requests: r.requests, clientCpuUs: r.cpuUs };
  };

  try {
    for (const s of servers) {
      await job(s, 'sync', WARMUP_SYNCS, args.proxies >> 1);
      await job(s, 'poll', WARMUP_POLLS, args.proxies >> 1);
    }
    const results = servers.map((): Figures => ({ perSync: [], perRequest: [], perPoll: [], syncsPerS: [], clientPerSync: [] }));
    // A B A B …: both servers see the same drift of a shared, noisy machine.
    for (let round = 0; round < args.rounds; round++) {
      for (const [k, s] of servers.entries()) {
        const syncs = await job(s, 'sync', args.syncs, 0);
        const polls = await job(s, 'poll', args.polls, 0);
        const r = results[k] as Figures;
        r.perSync.push(syncs.cpuUs / args.syncs);
        r.perRequest.push(syncs.cpuUs / syncs.requests);
        r.perPoll.push(polls.cpuUs / args.polls);
        r.syncsPerS.push(args.syncs / (syncs.wallMs / 1000));
        r.clientPerSync.push(syncs.clientCpuUs / args.syncs);
        console.log(
          `  round ${round + 1} ${s.label}: ${(syncs.cpuUs / args.syncs).toFixed(0)} µs/sync, ${(syncs.cpuUs / syncs.requests).toFixed(1)} µs/request, ` +
            `${(polls.cpuUs / args.polls).toFixed(0)} µs/poll, ${(args.syncs / (syncs.wallMs / 1000)).toFixed(0)} syncs/s`,
        );
      }
    }

    const [ours, baseline] = results as [Figures, Figures];
    const line = (label: string, unit: string, digits: number, a: number[], b: number[]) => {
      const [ma, mb] = [median(a), median(b)];
      console.log(`${label}: ours ${ma.toFixed(digits)} ${unit}, baseline node:http ${mb.toFixed(digits)} ${unit} → ${(ma / mb).toFixed(2)}×`);
    };
    console.log(`K=${args.baseFiles}, medians over ${args.rounds} rounds (CPU is the server process's unless marked client):`);
    line('per sync', 'µs', 0, ours.perSync, baseline.perSync);
    line('per request', 'µs', 1, ours.perRequest, baseline.perRequest);
    line('per poll', 'µs', 0, ours.perPoll, baseline.perPoll);
    line('syncs/s wall', 'syncs/s', 0, ours.syncsPerS, baseline.syncsPerS);
    // Both processes share two cores: when the clients cost about as much as the server, wall time is not the server's alone.
    line('client CPU per sync (not the server)', 'µs', 0, ours.clientPerSync, baseline.clientPerSync);
  } finally {
    if (child.connected) child.disconnect();
    for (const s of servers) await s.close();
  }

  console.log(`failures: ${failures}`);
  if (failures > 0) {
    for (const s of samples) console.error(`  ${s}`);
    process.exitCode = 1;
  }
}

await main(parseArgs(process.argv.slice(2)));
