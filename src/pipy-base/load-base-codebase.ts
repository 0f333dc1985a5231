import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The base codebase every proxy's codebase derives from: the sidecar scripts. */
export interface BaseCodebase {
  /** The directory the files were read from. */
  readonly dir: string;
  /** The entry file, `/main.js`. */
  readonly main: string;
  /** `/`-prefixed path (with `/` separators) to bytes. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export interface LoadBaseCodebaseOptions {
  /** The entry file (default `/main.js`); it must exist in the directory. */
  main?: string;
  /** Refuse directories with more files than this (default 5,000). */
  maxFiles?: number;
  /** Refuse directories whose files total more than this (default 64 MiB). */
  maxBytes?: number;
}

/**
 * Where the project's own default bases live: the sidecar's in
 * `src/pipy-base/default/`, the gateway's in `src/pipy-base/gateway-default/`.
 * The built program runs from `dist/src/pipy-base/`, which has no copy (tsc
 * emits no .js assets), so each is also looked for three levels up, in the
 * package's `src/pipy-base/`.
 */
const candidates = (dir: string): URL[] => [new URL(`./${dir}/`, import.meta.url), new URL(`../../../src/pipy-base/${dir}/`, import.meta.url)];

async function findBaseDir(dir: string, what: string): Promise<string> {
  const urls = candidates(dir);
  for (const url of urls) {
    const path = resolve(fileURLToPath(url));
    try {
      await access(join(path, 'main.js'));
      return path;
    } catch {
      // try the next candidate
    }
  }
  throw new Error(`default Pipy ${what} base codebase not found (looked in ${urls.map((u) => fileURLToPath(u)).join(', ')})`);
}

/** Finds the default sidecar base directory, or throws naming where it looked. */
export function defaultBaseDir(): Promise<string> {
  return findBaseDir('default', 'sidecar');
}

/** Finds the default gateway base directory (the built-in gateway scripts), or throws naming where it looked. */
export function defaultGatewayBaseDir(): Promise<string> {
  return findBaseDir('gateway-default', 'gateway');
}

/**
 * Reads a base codebase: every regular file under `dir` (default: the
 * project's own base), skipping dot-files and dot-directories (`.git`).
 * For `--pipy-codebase DIR`, e.g. FSM's sidecar scripts. Reads happen once at
 * startup; the returned maps are shared by every proxy's codebase.
 */
export async function loadBaseCodebase(dir?: string, opts: LoadBaseCodebaseOptions = {}): Promise<BaseCodebase> {
  const root = resolve(dir ?? (await defaultBaseDir()));
  const main = opts.main ?? '/main.js';
  const maxFiles = opts.maxFiles ?? 5000;
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  const rootStat = await stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw new Error(`Pipy codebase directory ${root} does not exist or is not a directory`);

  const files = new Map<string, Uint8Array>();
  let total = 0;
  // Symlinked directories are followed; the depth bound stops a link cycle.
  const walk = async (current: string, depth: number): Promise<void> => {
    if (depth > 32) throw new Error(`Pipy codebase directory ${root} is nested too deeply (a symlink cycle?) at ${current}`);
    const entries = await readdir(current, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(current, entry.name);
      const info = entry.isSymbolicLink() ? await stat(full) : entry;
      if (info.isDirectory()) {
        await walk(full, depth + 1);
        continue;
      }
      if (!info.isFile()) continue;
      if (files.size >= maxFiles) throw new Error(`Pipy codebase directory ${root} has more than ${maxFiles} files`);
      const bytes = await readFile(full);
      total += bytes.length;
      if (total > maxBytes) throw new Error(`Pipy codebase directory ${root} holds more than ${maxBytes} bytes`);
      files.set('/' + relative(root, full).split(sep).join('/'), bytes);
    }
  };
  await walk(root, 0);
  if (!files.has(main)) throw new Error(`Pipy codebase directory ${root} has no ${main.slice(1)}`);
  return { dir: root, main, files };
}
