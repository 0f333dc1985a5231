import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { run, versionLine } from '../../src/cli/commands/controller.js';
import { BUILD_INFO_FILE, packageVersion, readBuildInfo } from '../../src/shared/build-info.js';

t.test('fsm-controller --version prints the version from package.json', async (t) => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  t.equal(packageVersion(), version);
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
  let code: number;
  try {
    code = await run(['--version']);
  } finally {
    process.stdout.write = write;
  }
  t.equal(code, 0);
  t.equal(out, `fsm-controller ${version}\n`, 'a checkout records no commit or date');
});

t.test('an image records its commit and build date beside package.json; --version names them', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'build-info-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const deep = join(root, 'dist', 'src', 'shared');
  await mkdir(deep, { recursive: true });
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'fsm-control-plane', version: '9.8.7' }));
  t.same(readBuildInfo(deep), { version: '9.8.7', gitCommit: '', buildDate: '' }, 'nothing recorded');

  await writeFile(join(root, BUILD_INFO_FILE), JSON.stringify({ gitCommit: 'abc123', buildDate: '2026-12-06T10:00:00Z' }));
  const info = readBuildInfo(deep);
  t.same(info, { version: '9.8.7', gitCommit: 'abc123', buildDate: '2026-12-06T10:00:00Z' });
  t.equal(versionLine(info), 'fsm-controller 9.8.7 (commit abc123, built 2026-12-06T10:00:00Z)');

  await writeFile(join(root, BUILD_INFO_FILE), JSON.stringify({ gitCommit: 42 }));
  t.same(readBuildInfo(deep), { version: '9.8.7', gitCommit: '', buildDate: '' }, 'a field that is not a string is unknown');

  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'someone-else', version: '1.0.0' }));
  t.equal(readBuildInfo(deep).version, '0.0.0', "another package's package.json is not ours");
});
