import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { defaultBaseDir, defaultGatewayBaseDir, loadBaseCodebase } from '../../src/pipy-base/load-base-codebase.js';

async function tempDir(t: { teardown(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'pipy-base-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('the default base has a main.js that loads config.json, and a default config.json', async (t) => {
  const base = await loadBaseCodebase();
  t.equal(base.dir, await defaultBaseDir());
  t.equal(base.main, '/main.js');
  t.same([...base.files.keys()].sort(), ['/config.json', '/main.js']);
  t.match(Buffer.from(base.files.get('/main.js') ?? []).toString(), /pipy\.load\('config\.json'\)/);
  t.same(JSON.parse(Buffer.from(base.files.get('/config.json') ?? []).toString()), {});
});

t.test('the default gateway base is its own directory, with a main.js reading the gateway config', async (t) => {
  const dir = await defaultGatewayBaseDir();
  t.not(dir, await defaultBaseDir());
  const base = await loadBaseCodebase(dir);
  t.same([...base.files.keys()], ['/main.js']);
  t.match(Buffer.from(base.files.get('/main.js') ?? []).toString(), /config\.RouteRules/);
});

t.test('a --pipy-codebase directory is read recursively with /-prefixed paths, skipping dot-files', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'modules'));
  await mkdir(join(dir, '.git'));
  await writeFile(join(dir, 'main.js'), 'pipy()');
  await writeFile(join(dir, 'config.js'), 'cfg');
  await writeFile(join(dir, 'modules', 'inbound-main.js'), 'inbound');
  await writeFile(join(dir, '.git', 'HEAD'), 'ref');
  await writeFile(join(dir, '.hidden'), 'x');
  await symlink(join(dir, 'config.js'), join(dir, 'linked.js'));
  const base = await loadBaseCodebase(dir);
  t.same([...base.files.keys()].sort(), ['/config.js', '/linked.js', '/main.js', '/modules/inbound-main.js']);
  t.equal(Buffer.from(base.files.get('/modules/inbound-main.js') ?? []).toString(), 'inbound');
  t.equal(Buffer.from(base.files.get('/linked.js') ?? []).toString(), 'cfg');
});

t.test('a directory without main.js, a missing directory, or one too large is refused with a clear error', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'other.js'), 'x');
  await t.rejects(loadBaseCodebase(dir), /has no main\.js/);
  await t.rejects(loadBaseCodebase(join(dir, 'nope')), /does not exist/);
  await writeFile(join(dir, 'main.js'), 'x'.repeat(100));
  await t.rejects(loadBaseCodebase(dir, { maxBytes: 50 }), /more than 50 bytes/);
  await t.rejects(loadBaseCodebase(dir, { maxFiles: 1 }), /more than 1 files/);
});

t.test('a symlink cycle is refused instead of looping', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'main.js'), 'x');
  await symlink(dir, join(dir, 'loop'));
  await t.rejects(loadBaseCodebase(dir), /nested too deeply/);
});
