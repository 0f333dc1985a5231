import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/**
 * Root without the capabilities that bypass file permissions: a child so
 * started reads what its owner may read (the checkout, wherever it is), and
 * a mode-000 file or directory is refused to it as to anyone. util-linux's
 * setpriv drops them from the bounding set, which an exec as root keeps.
 */
const WITHOUT_DAC_OVERRIDE = ['--bounding-set=-dac_override,-dac_read_search'];

export interface SpawnCliOptions {
  /**
   * Run without privilege over files, so file permissions apply: when the
   * tests run as root the child runs as root without the capabilities that
   * bypass permissions; otherwise as the current user, who has none.
   */
  unprivileged?: boolean;
  env?: Record<string, string>;
}

/** Runs `fsm-controller ARGS` from source through the TypeScript loader tap itself uses. */
export function spawnCli(args: string[], options: SpawnCliOptions = {}): CliProcess {
  const node = [process.execPath, '--import', '@tapjs/typescript/import', MAIN, ...args];
  const [command, ...argv] = options.unprivileged === true && process.getuid?.() === 0 ? ['setpriv', ...WITHOUT_DAC_OVERRIDE, ...node] : node;
  const child = spawn(command as string, argv, {
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
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
