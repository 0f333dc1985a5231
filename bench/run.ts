/**
 * Benchmark runner: `npm run bench -- <name> [args]` runs dist/bench/<name>.js
 * in its own Node process (benchmarks fork helpers and measure RSS, so each
 * gets a clean process, with --expose-gc for settled memory figures).
 * Without a name, lists the benchmarks. Benchmarks are never run by `npm test`.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
/** Helper modules that other benchmarks fork or import; not benchmarks themselves. */
const HELPERS = new Set(['run', 'synthetic-mesh', 'synthetic-base', 'raw-http', 'xds-fanout-clients', 'controller-scale-clients', 'repo-serve-clients', 'repo-serve-servers', 'pipy-repo-process', 'registry-stand-in-process']);
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.slice(0, -3))
  .filter((n) => !HELPERS.has(n))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(`${name ? `unknown benchmark "${name}". ` : ''}Usage: npm run bench -- <name> [args]\nBenchmarks: ${available.join(', ')}\n`);
  process.exitCode = name ? 2 : 0;
} else {
  const child = spawn(process.execPath, ['--expose-gc', join(dir, `${name}.js`), ...args], { stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}
