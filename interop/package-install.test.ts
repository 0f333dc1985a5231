import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

/**
 * The package as a user gets it: `npm pack` (which builds first), then
 * `npm install` of the tarball into a fresh project (dependencies from the
 * npm registry, once), then a consumer file importing every entry and the
 * README's example controller are type-checked by tsc under
 * `moduleResolution` node16, nodenext and bundler (and node10, through
 * typesVersions), and the compiled JavaScript runs with node.
 */
t.setTimeout(900_000);

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, { types: string; default: string } | string>;
  bin: Record<string, string>;
  devDependencies: Record<string, string>;
};

interface Run {
  code: number | null;
  out: string;
}
function run(cmd: string, args: readonly string[], cwd: string, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    if (input !== undefined) child.stdin?.end(input);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

const dir = await mkdtemp(join(tmpdir(), 'package-install-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

t.test('npm pack ships the build, protos, the default Pipy base and the docs, nothing else', async (t) => {
  const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], ROOT);
  t.equal(packed.code, 0, `npm pack exits 0${packed.code === 0 ? '' : `: ${packed.out.slice(-3000)}`}`);
  const json = packed.out.slice(packed.out.indexOf('[\n'));
  const [info] = JSON.parse(json) as [{ filename: string; entryCount: number; files: { path: string }[] }];
  const files = info.files.map((f) => f.path);
  t.comment(`${info.entryCount} files in ${info.filename}`);
  t.same(
    files.filter((f) => !/^(dist\/(cache|server|src)\/.*\.(js|d\.ts)|proto\/.*\.proto|src\/pipy-base\/default\/.*|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/.test(f)),
    [],
    'no tests, benchmarks, CI files, snapshots, source maps or TypeScript sources',
  );
  const expected = ['LICENSE', 'README.md', 'CHANGELOG.md', 'proto/fsm/pipy/v1/codebase.proto', 'src/pipy-base/default/main.js', ...Object.values(pkg.bin)];
  for (const entry of Object.values(pkg.exports)) {
    if (typeof entry === 'object') expected.push(entry.types.slice(2), entry.default.slice(2));
  }
  t.same(expected.filter((f) => !files.includes(f)), [], 'every entry (module and types), the bin, the protos, the base and the docs are in');
  await writeFile(join(dir, 'tarball'), info.filename);
});

t.test('installed into a fresh project, every entry type-checks under node16, nodenext, bundler and node10, and runs', async (t) => {
  const tarball = join(dir, (await readFile(join(dir, 'tarball'), 'utf8')).trim());
  const project = join(dir, 'consumer');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `@grpc/grpc-js@${pkg.devDependencies['@grpc/grpc-js']}`],
    project,
  );
  t.equal(install.code, 0, `npm install of the tarball exits 0${install.code === 0 ? '' : `: ${install.out.slice(-3000)}`}`);
  await copyFile(join(ROOT, 'interop/package-consumer/consumer.ts'), join(project, 'consumer.ts'));
  await copyFile(join(ROOT, 'examples/grpc-weighted-route/controller.ts'), join(project, 'controller.ts'));

  const settings = {
    node16: { module: 'node16', moduleResolution: 'node16' },
    nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
    bundler: { module: 'esnext', moduleResolution: 'bundler' },
    node10: { module: 'esnext', moduleResolution: 'node10', noEmit: true },
  };
  for (const [name, resolution] of Object.entries(settings)) {
    const config = {
      compilerOptions: {
        target: 'es2022',
        lib: ['es2023'],
        strict: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
        outDir: `out-${name}`,
        ...resolution,
      },
      files: ['consumer.ts', 'controller.ts'],
    };
    await writeFile(join(project, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
    const tsc = await run(process.execPath, [TSC, '-p', `tsconfig.${name}.json`], project);
    t.equal(tsc.code, 0, `tsc with moduleResolution ${name} passes${tsc.code === 0 ? '' : `:\n${tsc.out.slice(-3000)}`}`);
    if ('noEmit' in resolution) continue;
    const consumer = await run(process.execPath, [join(project, `out-${name}`, 'consumer.js')], project);
    t.match(consumer.out, /^consumer ok: listener echo served on 127\.0\.0\.1:\d+$/m, `the ${name} build runs: ${consumer.out.trim().slice(-2000)}`);
    t.equal(consumer.code, 0);
  }

  // With skipLibCheck off, the package's own declarations must be error-free (third-party ones are not ours to fix).
  const libCheck = await run(process.execPath, [TSC, '-p', 'tsconfig.nodenext.json', '--noEmit', '--skipLibCheck', 'false'], project);
  const ours = libCheck.out.split('\n').filter((l) => /error TS/.test(l) && !/^node_modules\/(?!fsm-control-plane\/)/.test(l));
  t.same(ours, [], "no type errors in the package's declarations or in the consumer");

  const example = await run(process.execPath, [join(project, 'out-nodenext', 'controller.js'), '0', '50051', '50052'], project, '0 100\n');
  t.match(example.out, /^serving a=100 b=0\nxDS on 127\.0\.0\.1:\d+\nserving a=0 b=100\n$/, `the example controller runs from the installed package: ${example.out}`);
  t.equal(example.code, 0, 'and exits when its stdin ends');

  const cli = await run(join(project, 'node_modules/.bin/fsm-controller'), ['error-info', 'E1000'], project);
  t.equal(cli.code, 0, `the fsm-controller bin runs: ${cli.out.slice(-500)}`);
});
