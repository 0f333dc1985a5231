import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { spawnCli, until } from '../support/cli-process.js';

// The controller as a process: usage errors, --help, and a SIGTERM that drains and exits 0.
t.setTimeout(300_000);


t.test('a bad flag exits 2 naming it with E1000; --help exits 0', async (t) => {
  const bad = spawnCli(['--source', 'file:examples/bookstore', '--repo-listen', 'six-thousand']);
  const help = spawnCli(['--help']);
  t.equal(await bad.exit, 2);
  t.match(bad.stderr(), /E1000: flag --repo-listen: "six-thousand" is not HOST:PORT/);
  t.equal(await help.exit, 0);
  t.match(help.stdout(), /--pipy-codebase/);
});

t.test('serves the example mesh, becomes ready, and exits 0 on SIGTERM', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'fsm-cli-state-'));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  const run = spawnCli([
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
  t.match(metrics, /fsm_proxy_recompute_count 6/, 'metrics count the six initial generations (five sidecars, the example gateway)');
  run.child.kill('SIGTERM');
  t.equal(await run.exit, 0, 'SIGTERM: graceful exit 0');
  t.match(run.stderr(), /"msg":"stopped"/);
});

t.test('a port that cannot be bound exits 1 naming the flag and the address, for each listener', async (t) => {
  const { createServer } = await import('node:net');
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  t.teardown(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  const stateDir = await mkdtemp(join(tmpdir(), 'fsm-cli-state-'));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  for (const flag of ['--admin-listen', '--repo-listen', '--xds-listen']) {
    const listen: Record<string, string> = { '--admin-listen': '127.0.0.1:0', '--repo-listen': '127.0.0.1:0', '--xds-listen': '127.0.0.1:0', [flag]: `127.0.0.1:${port}` };
    const run = spawnCli(['--source', 'file:examples/bookstore', '--state-dir', stateDir, ...Object.entries(listen).flat()]);
    t.teardown(() => run.child.kill('SIGKILL'));
    // Before the fix the process logged the error and kept running with the other ports open.
    t.equal(await run.exit, 1, `${flag}: the process exits by itself, non-zero`);
    t.match(run.stderr(), new RegExp(`${flag} 127\\.0\\.0\\.1:${port}: cannot listen`), `${flag}: the message names the flag and the address`);
  }
});
