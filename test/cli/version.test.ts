import { readFile } from 'node:fs/promises';
import t from 'tap';
import { run } from '../../src/cli/commands/controller.js';
import { packageVersion } from '../../src/cli/version.js';

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
  t.equal(out, `fsm-controller ${version}\n`);
});
