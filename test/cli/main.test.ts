import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { spawnCli, until } from '../support/cli-process.js';

// The controller process as a user meets it: what reaches stderr.
// (--version and each subcommand's --help are tested in-process with their command.)
t.setTimeout(300_000);

t.test('--log-format text; a taken xDS port leaves no raw grpc-js line on stderr', async (t) => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => taken.close(() => r())));
  const port = (taken.address() as { port: number }).port;
  const stateDir = await mkdtemp(join(tmpdir(), 'fsm-cli-main-'));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  const run = spawnCli([
    '--source', 'file:examples/bookstore', '--state-dir', stateDir, '--log-format', 'text',
    '--xds-listen', `127.0.0.1:${port}`, '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0',
  ]);
  t.teardown(() => run.child.kill('SIGKILL'));
  // Whether the process then exits is item 8's business; the failure line is what matters here.
  // Generous: each spawn compiles the CLI from source, which takes minutes on a loaded 2-core machine.
  await until(() => (/EADDRINUSE/.test(run.stderr()) ? true : undefined), 240_000, 'the listen failure');
  const lines = run.stderr().trim().split('\n');
  t.same(lines.filter((l) => /^E /.test(l)), [], 'no raw grpc-js line');
  t.ok(lines.some((l) => /^fsm-controller: --xds-listen 127\.0\.0\.1:\d+: cannot listen: listen EADDRINUSE/.test(l)), 'the failure is one text line of ours naming the flag');
  t.notOk(lines.some((l) => l.startsWith('{')), 'no JSON lines in text format');
});
