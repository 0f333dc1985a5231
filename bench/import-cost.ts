/**
 * What importing each package entry costs: for every entry in package.json
 * `exports`, a fresh Node process imports it by its package name (so the
 * exports map is what resolves it) and reports the import's wall time and
 * the process RSS right after. Entries are measured in rounds, each round in
 * a rotated order, and figures are medians over the rounds. The `./cache`
 * entry (no gRPC, no protobuf) is the same run's baseline; a bare Node
 * process's RSS is printed beside it. The package's target: the root entry
 * within 1.5× of `./server`'s import time, also printed.
 *
 * Imports the built package (dist/): run `npm run build` first.
 * Usage: node dist/bench/import-cost.js [--rounds 7] [--package DIR]
 * (or `npm run bench -- import-cost [args]`; --package measures another
 * checkout's build, e.g. the commit before a change, with the same method).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const ROUNDS = Number(argValue('rounds') ?? 7);
const PACKAGE_DIR = resolve(argValue('package') ?? fileURLToPath(new URL('../../', import.meta.url)));
const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
const entries = Object.keys(pkg.exports).filter((e) => e !== './package.json');
const BASELINE = './cache';
const BARE = '(bare node)';

interface Sample {
  readonly ms: number;
  readonly rssMiB: number;
}

/** One fresh process: import the entry (self-reference from the package directory), report time and RSS. */
async function measure(entry: string): Promise<Sample> {
  const specifier = entry === BARE ? undefined : entry === '.' ? pkg.name : `${pkg.name}/${entry.slice(2)}`;
  const script = `
    const t0 = performance.now();
    ${specifier ? `await import(${JSON.stringify(specifier)});` : ''}
    const ms = performance.now() - t0;
    process.stdout.write(JSON.stringify({ ms, rssMiB: process.memoryUsage().rss / 1048576 }));
    process.exit(0);
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: PACKAGE_DIR });
  return JSON.parse(stdout) as Sample;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const all = [BARE, ...entries];
const samples = new Map<string, Sample[]>(all.map((e) => [e, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order so no entry always runs first (or right after another) in a round.
  const order = all.map((_, i) => all[(i + round) % all.length] as string);
  for (const entry of order) samples.get(entry)?.push(await measure(entry));
  process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}

const figures = new Map([...samples].map(([e, s]) => [e, { ms: median(s.map((x) => x.ms)), rssMiB: median(s.map((x) => x.rssMiB)), spread: s.map((x) => x.ms) }]));
const base = figures.get(BASELINE);
console.log(`import cost of ${pkg.name} entries (${PACKAGE_DIR}), medians of ${ROUNDS} fresh processes each; ratios against ${BASELINE} of the same run`);
console.log(`${'entry'.padEnd(16)} ${'import ms'.padStart(10)} ${'× cache'.padStart(8)} ${'RSS MiB'.padStart(8)} ${'× cache'.padStart(8)}   import ms min–max`);
for (const [entry, f] of figures) {
  const ratio = (v: number, b: number | undefined) => (b && entry !== BARE ? (v / b).toFixed(2) : '');
  const range = `${Math.min(...f.spread).toFixed(0)}–${Math.max(...f.spread).toFixed(0)}`;
  console.log(
    `${entry.padEnd(16)} ${(entry === BARE ? '' : f.ms.toFixed(1)).padStart(10)} ${ratio(f.ms, base?.ms).padStart(8)} ${f.rssMiB.toFixed(1).padStart(8)} ${ratio(f.rssMiB, base?.rssMiB).padStart(8)}   ${entry === BARE ? '' : range}`,
  );
}
const root = figures.get('.');
const server = figures.get('./server');
if (root && server) {
  console.log(`\nroot entry / ./server import time: ${(root.ms / server.ms).toFixed(2)}× (target ≤ 1.5×); RSS ${(root.rssMiB / server.rssMiB).toFixed(2)}×`);
}
