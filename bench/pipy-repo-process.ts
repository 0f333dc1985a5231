/**
 * A Pipy binary in repo mode (`pipy --admin-port=...` with no script: what
 * FSM runs as pipy-repo) holding given codebases, for benchmarks that
 * compare the repo server with it. Codebases are published the way FSM's
 * repo client does (flomesh-io/fsm pkg/repo/client.go): the base once
 * (`POST /api/v1/repo/<base>`, its files, then `PATCH` with a version to
 * commit), then each proxy's codebase derived from it (`POST` with
 * `"base"`, its own files, `PATCH`). Pipy is not in any registry these
 * benchmarks can install from: the caller passes the binary's path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import type { HarvestedCodebases } from './repo-serve-servers.js';

export interface PipyRepo {
  readonly pid: number;
  readonly port: number;
  close(): Promise<void>;
}

const BASE = 'fsm-base';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function call(port: number, method: 'POST' | 'PATCH', path: string, body: Uint8Array | object): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, body: body instanceof Uint8Array ? body : JSON.stringify(body) });
  await res.arrayBuffer();
  if (res.status !== 200 && res.status !== 201) throw new Error(`pipy-repo: ${method} ${path} answered ${res.status}`);
}

/** Starts `binary` in repo mode on a free loopback port and publishes `codebases` into it. */
export async function startPipyRepo(binary: string, codebases: HarvestedCodebases): Promise<PipyRepo> {
  const port = await freePort();
  const child: ChildProcess = spawn(binary, [`--admin-port=127.0.0.1:${port}`, '--log-level=error'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const spawnError = new Promise<never>((_, reject) => child.once('error', (err) => reject(new Error(`pipy-repo: cannot run ${binary}: ${err.message}`))));
  try {
    await Promise.race([spawnError, waitListening(port)]);
    await call(port, 'POST', `/api/v1/repo/${BASE}`, { version: 1, main: codebases.main });
    for (const [path, bytes] of codebases.base) await call(port, 'POST', `/api/v1/repo-files/${BASE}${path}`, bytes);
    await call(port, 'PATCH', `/api/v1/repo/${BASE}`, { version: 1 });
    for (const node of codebases.nodes) {
      await call(port, 'POST', `/api/v1/repo/${node.name}`, { version: 1, base: `/${BASE}` });
      for (const [path, bytes] of node.files) await call(port, 'POST', `/api/v1/repo-files/${node.name}${path}`, bytes);
      await call(port, 'PATCH', `/api/v1/repo/${node.name}`, { version: 2 });
    }
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    pid: child.pid as number,
    port,
    close: () => {
      child.kill();
      return exited;
    },
  };
}

async function waitListening(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/v1/repo`).then(
      (r) => r.arrayBuffer().then(() => true),
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pipy-repo did not listen on 127.0.0.1:${port}`);
}
