import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import t from 'tap';

// The layering rules of docs/architecture.md, checked on the real tree: every
// static import and re-export of every module under cache/, server/ and src/.

const ROOT = resolve(import.meta.dirname, '..', '..');
const TREES = ['cache', 'server', 'src'];

async function modules(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await modules(path)));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The project modules `file` imports (relative specifiers, resolved to .ts paths from the root). */
function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? '';
    if (!spec.startsWith('.')) continue;
    out.push(relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return out;
}

async function graph(): Promise<Map<string, string[]>> {
  const g = new Map<string, string[]>();
  for (const tree of TREES) {
    for (const file of await modules(tree)) g.set(file, importsOf(file, await readFile(join(ROOT, file), 'utf8')));
  }
  return g;
}

const under = (file: string, dir: string) => file.startsWith(`${dir}/`);

t.test('the import graph reads every module and finds its imports', async (t) => {
  const g = await graph();
  t.ok(g.size > 250, `${g.size} modules`);
  t.ok(g.get('src/controller/controller.ts')?.includes('src/controller/pipeline.ts'), 'a known import is found');
  t.same(importsOf('src/x/a.ts', "import type { A } from '../y/b.js';\nexport { c } from './c.js';\nimport './side.js';\nconst m = await import('./lazy.js');"), ['src/y/b.ts', 'src/x/c.ts', 'src/x/side.ts', 'src/x/lazy.ts']);
});

t.test('every import resolves to a module of the tree', async (t) => {
  const g = await graph();
  const missing = [...g].flatMap(([file, deps]) => deps.filter((d) => !g.has(d) && TREES.some((tree) => under(d, tree))).map((d) => `${file} → ${d}`));
  t.same(missing, []);
});

t.test('src/model imports nothing from src/sources, src/generate, src/controller or src/server-side layers', async (t) => {
  const g = await graph();
  const bad = [...g].filter(([f]) => under(f, 'src/model')).flatMap(([f, deps]) =>
    deps.filter((d) => ['src/sources', 'src/generate', 'src/controller', 'src/certificate', 'src/injector', 'src/kubernetes', 'src/cli'].some((x) => under(d, x))).map((d) => `${f} → ${d}`),
  );
  t.same(bad, []);
});

t.test('cache/ imports only cache/ and src/shared; server/ only server/, cache/ and src/shared', async (t) => {
  const g = await graph();
  const bad: string[] = [];
  for (const [f, deps] of g) {
    for (const d of deps) {
      if (under(f, 'cache') && !under(d, 'cache') && !under(d, 'src/shared')) bad.push(`${f} → ${d}`);
      if (under(f, 'server') && !under(d, 'server') && !under(d, 'cache') && !under(d, 'src/shared')) bad.push(`${f} → ${d}`);
    }
  }
  t.same(bad, []);
});

t.test('generators do no I/O and import no sources, controller or servers', async (t) => {
  const g = await graph();
  const bad: string[] = [];
  for (const [f, deps] of g) {
    if (!under(f, 'src/generate')) continue;
    for (const d of deps) if (['src/sources', 'src/controller', 'server', 'src/kubernetes', 'src/cli'].some((x) => under(d, x))) bad.push(`${f} → ${d}`);
    const text = await readFile(join(ROOT, f), 'utf8');
    if (/from ['"]node:(fs|net|http|https|child_process|dgram|tls)(\/promises)?['"]/.test(text)) bad.push(`${f} does I/O`);
  }
  t.same(bad, []);
});

t.test('sources import no generator, controller or server', async (t) => {
  const g = await graph();
  const bad = [...g].filter(([f]) => under(f, 'src/sources')).flatMap(([f, deps]) =>
    deps.filter((d) => ['src/generate', 'src/controller', 'server', 'src/cli'].some((x) => under(d, x))).map((d) => `${f} → ${d}`),
  );
  t.same(bad, []);
});

/** Every cycle found by a depth-first walk, as `a → b → a`. */
function findCycles(g: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of g.get(f) ?? []) {
      if (!g.has(d)) continue;
      if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].join(' → '));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...g.keys()].sort()) if (!state.has(f)) visit(f);
  return cycles;
}

t.test('no import cycles', async (t) => {
  t.same(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), ['a → b → c → a'], 'the check finds a cycle');
  t.same(findCycles(await graph()), []);
});
