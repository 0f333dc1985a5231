import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { spawnCli, until } from '../support/cli-process.js';
import { TypeUrl } from '../../cache/types.js';
import { createAdsClient } from '../../server/index.js';
import { parseServeXdsArgs } from '../../src/cli/commands/serve-xds.js';
import { cluster, endpoints, listener, listenerWithoutStatPrefix, route } from '../xds-files/fixtures/manifests.js';
import { ALIAS_BOMB, DEEP_JSON } from '../sources/file/fixtures/hostile-manifests.js';

// Each spawn compiles the CLI from source; on a busy 2-core machine that takes tens of seconds.
t.setTimeout(300_000);


t.test('flag parsing names the bad flag with E1000', async (t) => {
  t.throws(() => parseServeXdsArgs([]), /^E1000: flag --dir is required/);
  t.throws(() => parseServeXdsArgs(['--dir', '/x', '--xds-listen', 'nope']), /^E1000: flag .*--xds-listen "nope"/);
  t.throws(() => parseServeXdsArgs(['--dir', '/x', '--admin-listen']), /^E1000: flag --admin-listen needs a value/);
  t.throws(() => parseServeXdsArgs(['--dir=/x', '--frobnicate', '1']), /^E1000: unknown flag "--frobnicate"/);
  t.same(parseServeXdsArgs(['--dir=/x']), {
    dir: '/x',
    xdsListen: '127.0.0.1:15128',
    adminListen: '127.0.0.1:9091',
    logLevel: 'info',
    logFormat: 'json',
    limits: { maxFileBytes: 4194304, maxObjectsPerFile: 10000 },
    strictValidate: false,
  });
  t.match(parseServeXdsArgs(['--dir=/x', '--file-max-bytes', '10', '--file-max-objects=2', '--log-format', 'text']), { logFormat: 'text', limits: { maxFileBytes: 10, maxObjectsPerFile: 2 } });
  t.throws(() => parseServeXdsArgs(['--dir=/x', '--file-max-objects', '0']), /^E1000: flag --file-max-objects must be a positive integer, got "0"/);
  t.throws(() => parseServeXdsArgs(['--dir=/x', '--log-format', 'xml']), /^E1000: flag --log-format must be json or text, got "xml"/);
  t.match(parseServeXdsArgs(['--strict-validate', '--dir', '/x']), { dir: '/x', strictValidate: true });
  t.throws(() => parseServeXdsArgs(['--dir=/x', '--strict-validate=no']), /^E1000: flag --strict-validate takes no value/);
});

t.test('a bad flag exits non-zero with a message naming it', async (t) => {
  const run = spawnCli(['serve-xds', '--dir', '/tmp', '--xds-listen', 'localhost']);
  const missing = spawnCli(['serve-xds', '--dir', join(tmpdir(), `missing-${process.pid}`), '--admin-listen', '127.0.0.1:0', '--xds-listen', '127.0.0.1:0']);
  t.equal(await run.exit, 2);
  t.match(run.stderr(), /E1000: flag .*--xds-listen/);
  t.equal(await missing.exit, 2);
  t.match(missing.stderr(), /E1000: flag --dir: ".*" is not a directory/);
});

t.test('serves files, health endpoints, /debug/xds shows a NACK; SIGTERM exits 0', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'serve-xds-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'lds.json'), JSON.stringify(listener('l', 'r')));
  await writeFile(join(dir, 'rest.yaml'), [route('r', 'c'), cluster('c'), endpoints('c', 1)].map((r) => JSON.stringify(r)).join('\n---\n'));
  await writeFile(join(dir, 'broken.json'), '{"@type": "' + TypeUrl.Cluster + '", "nme": "x"}');
  // Hostile files are issues of their own; they must not stop the others from being served.
  await writeFile(join(dir, 'bomb.yaml'), ALIAS_BOMB);
  await writeFile(join(dir, 'deep.json'), DEEP_JSON);
  const run = spawnCli(['serve-xds', '--dir', dir, '--xds-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0']);
  t.teardown(() => {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
  });
  const started = await until(() => {
    const line = run.stderr().split('\n').find((l) => l.includes('"serving xDS"'));
    return line ? (JSON.parse(line) as { xds: string; admin: string }) : undefined;
  }, 90_000, 'the startup log line');
  t.match(started, { xds: /^127\.0\.0\.1:\d+$/, admin: /^127\.0\.0\.1:\d+$/ });
  const get = async (path: string) => {
    const res = await fetch(`http://${started.admin}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  t.equal((await get('/health/alive')).status, 200);
  t.equal((await get('/health/ready')).status, 200);

  const client = createAdsClient({ address: started.xds, node: { id: 'test-node', cluster: 'test' } });
  t.teardown(() => client.close());
  client.subscribe(TypeUrl.Listener, ['l']);
  const lds = await client.next({ timeoutMs: 10_000 });
  t.same(lds.resources.map((r) => r.name), ['l']);
  client.nack(lds, 'listener l rejected by the test client');
  type Debug = { nodes: { id: string; types: Record<string, { versionSent: string; lastNack?: { error: string; time: string } }> }[]; fileIssues: { file: string; field: string; reason: string }[] };
  const nack = await until(async () => {
    const body = (await get('/debug/xds')).body as unknown as Debug;
    return body.nodes.find((n) => n.id === 'test-node')?.types[TypeUrl.Listener]?.lastNack;
  }, 10_000, 'the NACK in /debug/xds');
  t.equal(nack.error, 'listener l rejected by the test client');
  t.ok(Date.parse(nack.time) > 0);
  const debug = (await get('/debug/xds')).body as unknown as Debug;
  t.equal(debug.nodes[0]?.types[TypeUrl.Listener]?.versionSent, lds.versionInfo);
  t.match(debug.fileIssues, [
    { file: 'bomb.yaml', reason: 'YAML: more than 100 alias expansions (a possible alias bomb); document refused' },
    { file: 'broken.json', field: 'nme' },
    { file: 'deep.json', reason: 'nested more than 100 levels deep; document refused' },
  ]);
  for (const file of ['bomb.yaml', 'deep.json']) t.match(run.stderr(), new RegExp(`"xds file issue".*"file":"${file}"`), `the log names ${file}`);

  client.close();
  run.child.kill('SIGTERM');
  t.equal(await run.exit, 0, 'graceful exit');
  t.match(run.stderr(), /"stopped"/);
});

t.test('--help is recognised', async (t) => {
  t.equal(parseServeXdsArgs(['--help']), 'help');
  t.equal(parseServeXdsArgs(['--dir', '/x', '-h']), 'help');
});

t.test('a Listener without stat_prefix is served with a warning in the log and /debug/xds; --strict-validate refuses it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'serve-xds-rules-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'lds.json'), JSON.stringify(listenerWithoutStatPrefix('l', 'r')));
  await writeFile(join(dir, 'rest.yaml'), [route('r', 'c'), cluster('c'), endpoints('c', 1)].map((r) => JSON.stringify(r)).join('\n---\n'));
  type Issue = { kind: string; file: string; field: string; rule?: string };
  for (const strict of [false, true]) {
    const run = spawnCli(['serve-xds', '--dir', dir, '--xds-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', ...(strict ? ['--strict-validate'] : [])]);
    t.teardown(() => {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    });
    const started = await until(() => {
      const line = run.stderr().split('\n').find((l) => l.includes('"serving xDS"'));
      return line ? (JSON.parse(line) as { xds: string; admin: string }) : undefined;
    }, 90_000, 'the startup log line');
    const debug = (await (await fetch(`http://${started.admin}/debug/xds`)).json()) as { fileIssues: Issue[]; served: Record<string, { names: string[] }> };
    const client = createAdsClient({ address: started.xds, node: { id: 'rules', cluster: 'test' } });
    client.subscribe(TypeUrl.Listener, ['l']);
    const lds = await client.next({ timeoutMs: 10_000 });
    client.close();
    const issue = { file: 'lds.json', field: 'api_listener.api_listener.stat_prefix', rule: 'string.min_len = 1' };
    if (strict) {
      t.same(lds.resources, [], '--strict-validate: the listener is refused');
      t.match(debug.fileIssues, [{ kind: 'invalid', ...issue }]);
    } else {
      t.same(lds.resources.map((r) => r.name), ['l'], 'the listener is served');
      t.match(debug.fileIssues, [{ kind: 'warning', ...issue }]);
      t.same(debug.served[TypeUrl.Listener]?.names, ['l']);
      const logged = run.stderr().split('\n').find((l) => l.includes('served anyway'));
      t.match(JSON.parse(logged ?? '{}'), { level: 'warn', kind: 'warning', ...issue }, 'the warning is logged with file, field and rule');
    }
    run.child.kill('SIGTERM');
    t.equal(await run.exit, 0);
  }
});
