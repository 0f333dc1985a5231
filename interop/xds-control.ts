import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSnapshot, createSnapshotCache, createXdsServer, decodeResource, TypeUrl, type Resource, type SnapshotCache, type XdsServer } from '../src/index.js';

/**
 * The control plane under test, in one of two shapes: the library API in
 * this process (createSnapshotCache + createXdsServer), or the
 * `fsm-controller serve-xds` program in a child process fed through files
 * (the same resources, decoded to proto3 JSON).
 */
export interface XdsControl {
  readonly kind: 'library' | 'serve-xds';
  /** host:port of the xDS server (stable across restarts). */
  readonly address: string;
  /** Serves exactly these resources to every node. */
  apply(resources: readonly Resource[]): Promise<void>;
  /** The client's error text of the last Listener NACK by `nodeId`, if any. */
  listenerNack(nodeId: string): Promise<string | undefined>;
  /** Open streams of `nodeId`. */
  streams(nodeId: string): Promise<number>;
  /** serve-xds only: the broken protoc-gen-validate rules it serves anyway, as `field: rule`. */
  ruleWarnings?(): Promise<string[]>;
  /** Stops the server and starts a new one on the same address with the same resources. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const ALL = 'all';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export async function startLibraryControl(): Promise<XdsControl> {
  let resources: Resource[] = [];
  const newServer = async (port: number) => {
    const cache = createSnapshotCache({ nodeHash: () => ALL });
    cache.setSnapshot(ALL, snapshotOf(resources));
    const server = createXdsServer({ watcher: cache, legacyWildcard: false });
    return { cache, server, port: await server.listen(`127.0.0.1:${port}`) };
  };
  let current: { cache: SnapshotCache; server: XdsServer; port: number } = await newServer(0);
  const port = current.port;
  const status = (nodeId: string) => current.cache.nodeStatus(ALL).find((n) => n.node.id === nodeId);
  return {
    kind: 'library',
    address: `127.0.0.1:${port}`,
    async apply(applied) {
      resources = [...applied];
      current.cache.setSnapshot(ALL, snapshotOf(resources));
    },
    listenerNack: async (nodeId) => status(nodeId)?.types.find((t) => t.typeUrl === TypeUrl.Listener)?.lastNack?.error,
    streams: async (nodeId) => status(nodeId)?.streams ?? 0,
    async restart() {
      await current.server.close({ graceMs: 0 });
      current = await newServer(port);
    },
    close: () => current.server.close({ graceMs: 0 }),
  };
}

function snapshotOf(resources: readonly Resource[]) {
  const byType: Record<string, Resource[]> = {};
  for (const r of resources) (byType[r.typeUrl] ??= []).push(r);
  return createSnapshot({ resources: byType });
}

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

export async function startServeXdsControl(): Promise<XdsControl> {
  const dir = await mkdtemp(join(tmpdir(), 'interop-xds-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let admin = '';
  let log = '';

  const spawnServer = async () => {
    const c = spawn(process.execPath, ['--import', '@tapjs/typescript/import', MAIN, 'serve-xds', '--dir', dir, '--xds-listen', `127.0.0.1:${port}`, '--admin-listen', '127.0.0.1:0'], {
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = c;
    let err = '';
    admin = await new Promise<string>((resolve, reject) => {
      c.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        log = (log + d.toString()).slice(-8000);
        const line = err.split('\n').find((l) => l.includes('"serving xDS"'));
        if (line) resolve((JSON.parse(line) as { admin: string }).admin);
      });
      c.once('exit', (code) => reject(new Error(`serve-xds exited with ${code}: ${err.slice(-2000)}`)));
    });
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    await exited;
  };
  type Debug = {
    nodes: { id: string; streams: number; types: Record<string, { lastNack?: { error: string } }> }[];
    fileIssues: { kind: string; field: string; rule?: string }[];
  };
  const debugXds = async () => (await (await fetch(`http://${admin}/debug/xds`)).json()) as Debug;
  const debug = async (nodeId: string) => (await debugXds()).nodes.find((n) => n.id === nodeId);

  await writeFile(join(dir, 'resources.json'), '[]');
  await spawnServer();
  return {
    kind: 'serve-xds',
    address: `127.0.0.1:${port}`,
    async apply(applied) {
      // The files hold proto3 JSON; atomic replace, as a careful writer (or a ConfigMap update) does.
      const json = applied.map((r) => decodeResource(r.typeUrl, r.bytes));
      const tmp = join(dir, '.resources.json.tmp');
      await writeFile(tmp, JSON.stringify(json, null, 2));
      await rename(tmp, join(dir, 'resources.json'));
    },
    listenerNack: async (nodeId) => (await debug(nodeId))?.types[TypeUrl.Listener]?.lastNack?.error,
    streams: async (nodeId) => (await debug(nodeId))?.streams ?? 0,
    ruleWarnings: async () => (await debugXds()).fileIssues.filter((i) => i.kind === 'warning').map((i) => `${i.field}: ${i.rule ?? ''}`),
    async restart() {
      await stop();
      await spawnServer();
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
      if (child?.exitCode !== 0) throw new Error(`serve-xds did not exit cleanly (${child?.exitCode}): ${log.slice(-2000)}`);
    },
  };
}
