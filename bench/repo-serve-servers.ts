/**
 * Server side of bench/repo-serve.ts: one server per child process, so that
 * each server's CPU (read from /proc by the parent) and memory are its own.
 *
 *   repo-serve-servers.js controller [DIST]  fsm-controller on a synthetic mesh
 *       (the codebases every other server then holds come from it)
 *   repo-serve-servers.js module [DIST]      the repo server module alone
 *       (`createPipyRepoServer` over a linear cache holding the codebases)
 *   repo-serve-servers.js baseline           the cheapest node:http server
 *       giving the same answers: one Map lookup per request
 *   repo-serve-servers.js floor              what answering costs Node at the
 *       least: a node:net server that reads the request line of each data
 *       chunk (the bench client sends one request at a time), writes
 *       pre-built bytes and closes at the client's FIN. Not a server one
 *       could run (no parsing, limits or timeouts): the floor under ours
 * DIST is another build's dist/ directory whose controller or module to run
 * instead of this one's (an earlier commit, for a same-run before/after).
 *
 * IPC (structured clone, so file bytes travel as bytes):
 *   ← {start: ControllerStart} or {start: HarvestedCodebases}
 *   → {kind: 'listening', port, names, heapPerProxy?}
 *   ← {memory: true}  → {kind: 'memory', ...process.memoryUsage() after a full GC}
 *   ← {profile: 'start'}, then {profile: FILE} → {kind: 'profiled'}: a V8 CPU
 *     profile of what ran in between, written to FILE (.cpuprofile)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCodebase, renderManifest, type Codebase, type CodebaseInit } from '../cache/index.js';
import { syntheticMesh, writeMeshFiles } from './synthetic-mesh.js';

/** Codebases as read from the controller: the files every codebase has alike, then each one's own. */
export interface HarvestedCodebases {
  main: string;
  base: [string, Uint8Array][];
  nodes: { name: string; files: [string, Uint8Array][] }[];
}

export interface ControllerStart {
  proxies: number;
  /** `--pipy-codebase` directory; undefined for the built-in base. */
  baseDir: string | undefined;
}

export type ServerMessage =
  | { kind: 'listening'; port: number; names: string[] }
  /** `heapPerCodebase`: the module's heap and buffer bytes above its empty start, per codebase it holds. */
  | ({ kind: 'memory'; heapPerCodebase?: number } & NodeJS.MemoryUsage)
  | { kind: 'profiled' };

const [kind = '', dist] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
const send = (m: ServerMessage) => process.send?.(m);
let close: () => Promise<void> = async () => {};
/** The module's codebase count, for the per-codebase memory figure. */
let held = 0;

function settledMemory(): NodeJS.MemoryUsage {
  gc?.();
  gc?.();
  return process.memoryUsage();
}

function codebasesOf(h: HarvestedCodebases, create: (init: CodebaseInit) => Codebase = createCodebase): Map<string, Codebase> {
  // Bytes arrive as views into one IPC message: each file gets its own copy, as the controller
  // holds each config in its own Buffer, and one Map of base files is shared by every codebase.
  const own = (files: [string, Uint8Array][]) => new Map(files.map(([path, bytes]) => [path, Uint8Array.from(bytes)]));
  const base = own(h.base);
  return new Map(h.nodes.map((n) => [n.name, create({ main: h.main, layers: [base, own(n.files)] })]));
}

/** The build whose code runs: this one, or DIST. */
const root = resolve(dist ?? join(import.meta.dirname, '..'));
const load = <T>(path: string): Promise<T> => import(pathToFileURL(join(root, path)).href) as Promise<T>;

async function startController(s: ControllerStart): Promise<void> {
  const { createController } = await load<typeof import('../src/controller/controller.js')>('src/controller/controller.js');
  const { parseControllerOptions } = await load<typeof import('../src/controller/options.js')>('src/controller/options.js');
  const meshDir = await mkdtemp(join(tmpdir(), 'fsm-repo-serve-mesh-'));
  const stateDir = await mkdtemp(join(tmpdir(), 'fsm-repo-serve-state-'));
  const services = Math.max(1, Math.round(s.proxies / 10));
  await writeMeshFiles(syntheticMesh({ services, podsPerService: 10, namespaces: 10, trafficTargets: services * 2, smi: true }), meshDir);
  const options = parseControllerOptions(
    [
      ...['--source', `file:${meshDir}`, '--state-dir', stateDir, '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
      ...(s.baseDir ? ['--pipy-codebase', s.baseDir] : []),
    ],
    {},
  );
  if (options === 'help') throw new Error('unexpected help');
  const controller = createController(options);
  const ports = await controller.start();
  while (!controller.isReady()) await new Promise((r) => setTimeout(r, 50));
  close = async () => {
    await controller.close();
    await rm(meshDir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  };
  send({ kind: 'listening', port: ports.repo, names: controller.store.proxies().map((p) => `fsm-sidecar/${p.cnPrefix}`) });
}

async function startModule(h: HarvestedCodebases): Promise<void> {
  const { createPipyRepoServer } = await load<typeof import('../server/pipy-repo/index.js')>('server/pipy-repo/index.js');
  let codebases: Map<string, Codebase>;
  let server: ReturnType<typeof createPipyRepoServer>;
  if (existsSync(join(root, 'cache/codebase.js'))) {
    const cache = await load<typeof import('../cache/index.js')>('cache/index.js');
    codebases = codebasesOf(h, cache.createCodebase);
    const linear = cache.createLinearCache(cache.TypeUrl.PipyCodebase);
    linear.updateResources([...codebases].map(([name, cb]) => cache.createCodebaseResource(name, cb)), []);
    server = createPipyRepoServer({ listen: '127.0.0.1:0', codebases: linear });
  } else {
    // Builds from before codebases were cache resources: the server read a name → codebase map.
    const old = (await load('server/pipy-repo/index.js')) as { createCodebase: (init: CodebaseInit) => Codebase; createPipyRepoServer: (o: { listen: string; codebases: Map<string, Codebase> }) => typeof server };
    codebases = codebasesOf(h, old.createCodebase);
    server = old.createPipyRepoServer({ listen: '127.0.0.1:0', codebases });
  }
  const { port } = await server.start();
  held = codebases.size;
  close = () => server.close();
  send({ kind: 'listening', port, names: [...codebases.keys()] });
}

/** Every answer by request target: the manifest and each file of every codebase. */
function answers(h: HarvestedCodebases): Map<string, { body: Uint8Array; headers: { etag: string; 'content-type': string; 'content-length': string } }> {
  const table = new Map<string, { body: Uint8Array; headers: { etag: string; 'content-type': string; 'content-length': string } }>();
  const add = (url: string, etag: string, body: Uint8Array) => table.set(url, { body, headers: { etag, 'content-type': 'text/plain', 'content-length': String(body.byteLength) } });
  for (const [name, cb] of codebasesOf(h)) {
    add(`/repo/${name}/`, cb.version, Buffer.from(renderManifest(cb)));
    for (const [path, bytes] of cb.files) add(`/repo/${name}${path}`, cb.version, bytes);
  }
  return table;
}

async function startFloor(h: HarvestedCodebases): Promise<void> {
  const table = new Map(
    [...answers(h)].map(([url, a]) => {
      const head = Buffer.from(`HTTP/1.1 200 OK\r\n${Object.entries(a.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1');
      return [url, { head, body: a.body }];
    }),
  );
  const notFound = Buffer.from('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n', 'latin1');
  const server = createNetServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
    socket.on('data', (chunk: Buffer) => {
      const line = chunk.toString('latin1', 0, chunk.indexOf(13));
      const sp = line.indexOf(' ');
      const a = table.get(line.slice(sp + 1, line.indexOf(' ', sp + 1)));
      if (!a) socket.write(notFound);
      else if (line.startsWith('HEAD')) socket.write(a.head);
      else {
        socket.cork();
        socket.write(a.head);
        socket.write(a.body);
        socket.uncork();
      }
    });
    socket.on('end', () => socket.destroy());
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  close = () => new Promise<void>((r) => server.close(() => r()));
  send({ kind: 'listening', port: (server.address() as AddressInfo).port, names: h.nodes.map((n) => n.name) });
}

async function startBaseline(h: HarvestedCodebases): Promise<void> {
  const table = answers(h);
  const server: Server = createServer((req, res) => {
    res.sendDate = false;
    const entry = table.get(req.url ?? '');
    if (entry) {
      res.writeHead(200, entry.headers);
      res.end(req.method === 'HEAD' ? undefined : entry.body);
    } else {
      res.writeHead(404, { 'content-length': '0' });
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  send({ kind: 'listening', port: (server.address() as AddressInfo).port, names: h.nodes.map((n) => n.name) });
}

let profiler: Session | undefined;
async function profile(what: string): Promise<void> {
  if (what === 'start') {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return;
  }
  if (!profiler) return;
  const { profile: result } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  profiler = undefined;
  await writeFile(what, JSON.stringify(result));
  send({ kind: 'profiled' });
}

// Before any codebase arrives: what holding them costs is measured from here.
const empty = settledMemory();
process.on('message', (m: { start?: ControllerStart | HarvestedCodebases; memory?: boolean; profile?: string }) => {
  if (m.profile) return void profile(m.profile);
  if (m.memory) {
    const now = settledMemory();
    // JS heap plus file bytes (ArrayBuffers live outside the heap), with every answer the server has built so far.
    const perCodebase = held ? { heapPerCodebase: (now.heapUsed + now.arrayBuffers - empty.heapUsed - empty.arrayBuffers) / held } : {};
    return send({ kind: 'memory', ...now, ...perCodebase });
  }
  if (!m.start) return;
  const starts: Record<string, (start: never) => Promise<void>> = { controller: startController, module: startModule, baseline: startBaseline, floor: startFloor };
  const started = (starts[kind] ?? (() => Promise.reject(new Error(`unknown server kind ${kind}`))))(m.start as never);
  started.catch((err: unknown) => {
    console.error(`repo-serve ${kind} server failed:`, err);
    process.exit(1);
  });
});
// The benchmark closes the IPC channel when it is done or dies: close and exit, never linger.
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 5_000).unref();
  void close().finally(() => process.exit(0));
});
