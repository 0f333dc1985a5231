import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// The controller as a process: usage errors, --help, and a SIGTERM that drains and exits 0.
t.setTimeout(300_000);

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function spawnController(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', '@tapjs/typescript/import', MAIN, ...args], {
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('a bad flag exits 2 naming it with E1000; --help exits 0', async (t) => {
  const bad = spawnController(['--source', 'file:examples/bookstore', '--repo-listen', 'six-thousand']);
  const help = spawnController(['--help']);
  t.equal(await bad.exit, 2);
  t.match(bad.stderr(), /E1000: flag --repo-listen: "six-thousand" is not HOST:PORT/);
  t.equal(await help.exit, 0);
  t.match(help.stdout(), /--pipy-codebase/);
});

t.test('serves the example mesh, becomes ready, and exits 0 on SIGTERM', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'fsm-cli-state-'));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  const run = spawnController([
    '--source', 'file:examples/bookstore', '--state-dir', stateDir,
    '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0',
  ]);
  t.teardown(() => run.child.kill('SIGKILL'));
  const admin = await until(() => {
    const line = run.stderr().split('\n').find((l) => l.includes('"fsm-controller serving"'));
    return line ? (JSON.parse(line) as { admin: number }).admin : undefined;
  }, 120_000, 'the serving log line');
  const ready = await until(async () => {
    const res = await fetch(`http://127.0.0.1:${admin}/health/ready`);
    return res.status === 200 ? ((await res.json()) as { proxies: number }) : undefined;
  }, 30_000, 'readiness');
  t.equal(ready.proxies, 5, 'ready with the five bookstore proxies');
  const alive = await fetch(`http://127.0.0.1:${admin}/health/alive`);
  t.equal(alive.status, 200);
  const metrics = await (await fetch(`http://127.0.0.1:${admin}/metrics`)).text();
  t.match(metrics, /fsm_proxy_recompute_count 5/, 'metrics count the five initial generations');
  run.child.kill('SIGTERM');
  t.equal(await run.exit, 0, 'SIGTERM: graceful exit 0');
  t.match(run.stderr(), /"msg":"stopped"/);
});
