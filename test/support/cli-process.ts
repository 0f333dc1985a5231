import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** The uid and gid of "nobody" on Debian and most Linux systems. */
const NOBODY = 65534;

export interface SpawnCliOptions {
  /**
   * Run as an unprivileged user, so file permissions apply: when the tests
   * run as root the child runs as nobody (every path it reads must then be
   * readable by others); otherwise as the current user, who is unprivileged.
   */
  unprivileged?: boolean;
  env?: Record<string, string>;
}

/** Runs `fsm-controller ARGS` from source through the TypeScript loader tap itself uses. */
export function spawnCli(args: string[], options: SpawnCliOptions = {}): CliProcess {
  const asNobody = options.unprivileged === true && process.getuid?.() === 0;
  const child = spawn(process.execPath, ['--import', '@tapjs/typescript/import', MAIN, ...args], {
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asNobody ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Polls `fn` until it returns a value; throws naming `what` after `ms`. */
export async function until<T>(fn: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
