import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startClient, type CallResult } from './client-process.js';
import { startEchoBackend } from './echo-backend.js';
import { bootstrap } from './echo-resources.js';

/**
 * The README's library example (examples/grpc-weighted-route/controller.ts),
 * run as a user runs it: its own process, importing the package by name
 * (the build in dist/, through package.json exports). A real xDS client
 * (@grpc/grpc-js-xds) calls xds:///echo; the example serves weights 100/0,
 * then 0/100 typed on its stdin, and the client's calls move from backend a
 * to backend b. A split summing to 0 is refused and b keeps being served.
 */
t.setTimeout(600_000);

const EXAMPLE = fileURLToPath(new URL('../examples/grpc-weighted-route/controller.ts', import.meta.url));

async function until<T>(what: string, fn: () => T | undefined, ms: number, diag: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${diag()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('a gRPC xDS client follows the example controller from a to b', async (t) => {
  const a = await startEchoBackend('a');
  const b = await startEchoBackend('b');
  t.teardown(() => Promise.all([a.close(), b.close()]).then(() => undefined));

  const controller = spawn(process.execPath, ['--import', '@tapjs/typescript/import', EXAMPLE, '0', String(a.port), String(b.port)], {
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  controller.stdout.on('data', (d: Buffer) => (out += d.toString()));
  controller.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => controller.once('exit', resolve));
  t.teardown(() => {
    if (controller.exitCode === null) controller.kill('SIGKILL');
  });
  const lines = () => out.split('\n').filter(Boolean);
  const diagController = () => `controller stdout: ${out}\ncontroller stderr: ${err.slice(-2000)}`;

  const port = await until('the example to listen', () => /^xDS on 127\.0\.0\.1:(\d+)$/m.exec(out)?.[1], 120_000, diagController);
  t.same(lines(), ['serving a=100 b=0', `xDS on 127.0.0.1:${port}`]);

  const client = startClient('grpc-js-xds', { bootstrap: bootstrap(`127.0.0.1:${port}`, 'example-client'), target: 'echo' });
  t.teardown(() => client.close());
  const diag = () => `${diagController()}\nlast calls: ${JSON.stringify(client.results.slice(-3))}\nclient stderr: ${client.stderrTail()}`;
  const after = (since: number): CallResult[] => client.results.filter((r) => r.at >= since);
  const twentyAfter = (since: number, what: string) => until(what, () => (after(since).length >= 20 ? after(since).slice(0, 20) : undefined), 60_000, diag);

  await until('a first call to reach a', () => client.results.find((r) => r.backend === 'a'), 120_000, diag);
  const settledA = Date.now();
  t.same(new Set((await twentyAfter(settledA, '20 calls on 100/0')).map((r) => r.backend ?? r.error)), new Set(['a']), 'with 100/0 every call reaches a');

  const switchAt = Date.now();
  controller.stdin.write('0 100\n');
  await until('the example to publish 0/100', () => (lines().includes('serving a=0 b=100') ? true : undefined), 20_000, diag);
  await until('calls to reach b', () => after(switchAt).find((r) => r.backend === 'b'), 20_000, diag);
  const settledB = Date.now() + 200;
  t.same(new Set((await twentyAfter(settledB, '20 calls on 0/100')).map((r) => r.backend ?? r.error)), new Set(['b']), 'with 0/100 every call reaches b');

  controller.stdin.write('0 0\n');
  await until('the example to refuse 0/0', () => (/weights sum to 0/.test(err) ? true : undefined), 20_000, diag);
  const refusedAt = Date.now();
  t.same(new Set((await twentyAfter(refusedAt, '20 calls after the refused split')).map((r) => r.backend ?? r.error)), new Set(['b']), 'the refused split left 0/100 in place');

  controller.stdin.end();
  t.equal(await exited, 0, 'the example closes its server and exits 0 when stdin ends');
});
