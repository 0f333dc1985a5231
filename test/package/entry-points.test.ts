import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';

/**
 * The package's entries load only what they need: each light entry, imported
 * in a fresh Node process, loads nothing of Kubernetes, X.509 or
 * WebSockets, and no project module beyond the xDS library (cache/,
 * server/ but the Pipy repo server, src/shared/). Entries are imported from
 * their TypeScript sources (what package.json `exports` names in dist/, mapped
 * back), so the test checks the code as it is, built or not. ESM modules are
 * recorded by a resolve hook; CommonJS ones from require.cache.
 */
t.setTimeout(600_000);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
interface Conditions {
  types: string;
  default: string;
}
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, Conditions | string>;
  typesVersions: Record<string, Record<string, string[]>>;
  types: string;
  main: string;
};

const LIGHT = ['.', './cache', './server', './resources', './testing'];
const FORBIDDEN_PACKAGES = ['@kubernetes/', '@peculiar/', 'ws/'];
/** Project modules a light entry may load. */
const LIGHT_SOURCES = [/^cache\//, /^server\/(?!pipy-repo\/)/, /^src\/shared\//, /^src\/index\.ts$/];

const entryConditions = (entry: string): Conditions => {
  const e = pkg.exports[entry];
  if (typeof e !== 'object') throw new Error(`exports["${entry}"] has no conditions`);
  return e;
};
/** `./dist/server/index.js` → `<root>/server/index.ts`. */
const sourceOf = (entry: string) => join(ROOT, entryConditions(entry).default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'));

const HOOK = `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(file, resolved.url + '\\n');
  return resolved;
}`;

/** Imports `specifier` in a fresh Node process (TypeScript loader on); returns the paths of every module it loaded. */
async function modulesLoadedBy(specifier: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'entry-points-'));
  try {
    const file = join(dir, 'resolved.txt');
    const script = `
      import { createRequire, register } from 'node:module';
      import { writeFileSync } from 'node:fs';
      register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)}, { data: { file: ${JSON.stringify(file)} } });
      await import(${JSON.stringify(specifier)});
      writeFileSync(${JSON.stringify(file)}, Object.keys(createRequire(${JSON.stringify(pathToFileURL(ROOT).href)}).cache).map((p) => 'cjs:' + p).join('\\n') + '\\n', { flag: 'a' });
      process.exit(0);
    `;
    const child = spawn(process.execPath, ['--import', '@tapjs/typescript/import', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`importing ${specifier} exited with ${code}: ${stderr}`);
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    return lines.map((l) => (l.startsWith('cjs:') ? l.slice(4) : l.startsWith('file:') ? fileURLToPath(l) : l));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const forbiddenIn = (paths: readonly string[]) =>
  [...new Set(paths.flatMap((p) => FORBIDDEN_PACKAGES.filter((f) => p.includes(`/node_modules/${f}`))))].sort();
const projectSources = (paths: readonly string[]) =>
  [...new Set(paths.filter((p) => p.startsWith(ROOT) && !p.includes('/node_modules/')).map((p) => p.slice(ROOT.length)))].sort();

t.test('the detector sees packages loaded by ESM import and by CommonJS require', async (t) => {
  const control = pathToFileURL(join(ROOT, 'test/package/fixtures/loads-forbidden.ts')).href;
  t.same(forbiddenIn(await modulesLoadedBy(control)), [...FORBIDDEN_PACKAGES].sort(), 'every forbidden package is reported');
});

for (const entry of LIGHT) {
  t.test(`"${entry}" loads nothing of Kubernetes, X.509 or ws`, async (t) => {
    const loaded = await modulesLoadedBy(pathToFileURL(sourceOf(entry)).href);
    t.same(forbiddenIn(loaded), [], 'no forbidden package');
    const outside = projectSources(loaded).filter((p) => !LIGHT_SOURCES.some((r) => r.test(p)));
    t.same(outside, [], 'no project module beyond the xDS library');
    t.ok(projectSources(loaded).includes(sourceOf(entry).slice(ROOT.length)), 'the entry itself was loaded');
  });
}

t.test('the heavy entries import cleanly on their own', async (t) => {
  for (const entry of ['./pipy-repo', './controller']) {
    const loaded = await modulesLoadedBy(pathToFileURL(sourceOf(entry)).href);
    t.ok(projectSources(loaded).includes(sourceOf(entry).slice(ROOT.length)), `${entry} was loaded`);
  }
});

t.test('every entry has types; node10 typesVersions mirror the exports', async (t) => {
  const entries = Object.keys(pkg.exports).filter((e) => e !== './package.json');
  t.same(entries, ['.', './cache', './server', './resources', './testing', './pipy-repo', './controller']);
  for (const entry of entries) {
    const c = entryConditions(entry);
    t.same(Object.keys(c), ['types', 'default'], `${entry}: types first (TypeScript takes the first matching condition)`);
    t.equal(c.types, c.default.replace(/\.js$/, '.d.ts'), `${entry}: the declarations sit beside the module`);
    if (entry === '.') {
      t.equal(pkg.types, c.types);
      t.equal(pkg.main, c.default);
    } else {
      t.same(pkg.typesVersions['*']?.[entry.slice(2)], [c.types.slice(2)], `${entry}: typesVersions`);
    }
  }
  t.equal(Object.keys(pkg.typesVersions['*'] ?? {}).length, entries.length - 1, 'no typesVersions entry without an export');
});
