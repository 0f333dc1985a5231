import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Snapshot } from '../../cache/snapshot.js';
import { DEFAULT_FILE_LIMITS, type FileLimits } from '../shared/file-limits.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { createRescanLoop } from '../shared/rescan-loop.js';
import { createXdsFileSet, type KindedIssue } from './file-set.js';
import { formatIssue, isResourceFile } from './parse-file.js';

export interface XdsDirectorySourceOptions {
  /** The directory to load (recursively). */
  dir: string;
  /** Full rescan period, the fallback when file-system events are missed. Default 500 ms. */
  pollIntervalMs?: number;
  /** Quiet time after a file-system event before rescanning, so bursts are read once. Default 50 ms. */
  debounceMs?: number;
  logger?: Logger;
  /** Called after every scan that changed the served resources, with the new snapshot. */
  onSnapshot?: (snapshot: Snapshot) => void;
  /** Per-file bounds (src/shared/file-limits.ts). */
  limits?: Partial<FileLimits>;
  /** Refuse resources that break a protoc-gen-validate rule instead of serving them with a warning. */
  strictValidate?: boolean;
}

/**
 * xDS resources loaded from a directory and kept current. Changes are seen
 * through recursive fs.watch (debounced) and a periodic rescan (for
 * platforms and mounts where events are missed); a rescan compares each
 * file's (mtime, ctime, size, inode), so edits, additions, deletions,
 * renames and atomic replaces (write + rename, or a swapped symlink as in a
 * Kubernetes ConfigMap) all show. Paths with a segment starting with "." are
 * ignored (temp files of atomic writers, ConfigMap `..data` dirs). A file that
 * cannot be read, is too large or does not parse is an issue of its own
 * (logged, and listed by `issues()`); its last good resources stay served.
 */
export interface XdsDirectorySource {
  /** Loads the directory once (resolves when loaded) and starts watching. Call once. */
  start(): Promise<void>;
  /** Stops watching and polling. Idempotent. */
  close(): Promise<void>;
  /** The served resources (last good content of every file). */
  snapshot(): Snapshot;
  /** Current problems: invalid files, name collisions, dangling references. */
  issues(): KindedIssue[];
  /** Rescans now; resolves when the scan (and any it had to wait for) is done. */
  rescan(): Promise<void>;
}

export function createXdsDirectorySource(options: XdsDirectorySourceOptions): XdsDirectorySource {
  const logger = options.logger ?? silentLogger;
  const pollMs = options.pollIntervalMs ?? 500;
  const debounceMs = options.debounceMs ?? 50;
  const limits: FileLimits = { ...DEFAULT_FILE_LIMITS, ...options.limits };
  const set = createXdsFileSet({ maxObjectsPerFile: limits.maxObjectsPerFile, strictValidate: options.strictValidate ?? false });
  const seen = new Map<string, string>();
  let reported = '';
  let watcher: FSWatcher | undefined;
  let poll: NodeJS.Timeout | undefined;
  let closed = false;

  const scanOnce = async () => {
    const present = new Set<string>();
    let changed = false;
    for (const rel of await listFiles(options.dir)) {
      const full = join(options.dir, rel);
      let st;
      try {
        st = await stat(full);
      } catch (err) {
        // Gone since the listing: the next scan drops it. Otherwise its last good resources stay.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        present.add(rel);
        set.refuse(rel, `cannot read: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      if (st.isDirectory()) continue;
      present.add(rel);
      if (!st.isFile()) {
        set.refuse(rel, 'not a regular file (a FIFO, socket or device); not read');
        continue;
      }
      const fingerprint = `${st.mtimeMs}:${st.ctimeMs}:${st.size}:${st.ino}`;
      if (seen.get(rel) === fingerprint) continue;
      if (st.size > limits.maxFileBytes) {
        seen.set(rel, fingerprint);
        set.refuse(rel, `file of ${st.size} bytes is larger than the limit of ${limits.maxFileBytes} bytes (--file-max-bytes); not read`);
        continue;
      }
      let text: string;
      try {
        text = await readFile(full, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') set.refuse(rel, `cannot read: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      seen.set(rel, fingerprint);
      changed = set.update(rel, text) || changed;
    }
    for (const rel of set.files()) {
      if (present.has(rel)) continue;
      seen.delete(rel);
      changed = set.update(rel, undefined) || changed;
    }
    reportIssues();
    if (changed && !closed) options.onSnapshot?.(set.snapshot());
  };

  const reportIssues = () => {
    const issues = set.issues();
    const text = issues.map((i) => `${i.kind} ${formatIssue(i)}`).join('\n');
    if (text === reported) return;
    reported = text;
    for (const i of issues) logger.warn(i.kind === 'warning' ? 'xds resource breaks a validation rule, served anyway' : 'xds file issue', { ...i, issue: formatIssue(i) });
    if (!issues.length) logger.info('xds files valid', { files: set.files().length });
  };

  const loop = createRescanLoop({
    scan: () => scanOnce(),
    debounceMs,
    onError: (err) => logger.error('xds directory scan failed', { dir: options.dir, error: String(err) }),
  });
  const rescan = () => loop.rescan();

  return {
    async start() {
      await rescan();
      if (closed) return;
      try {
        watcher = watch(options.dir, { recursive: true }, () => loop.schedule());
        watcher.on('error', (err) => {
          logger.warn('xds directory watch failed; polling only', { dir: options.dir, error: String(err) });
          watcher?.close();
          watcher = undefined;
        });
      } catch (err) {
        logger.warn('xds directory watch unavailable; polling only', { dir: options.dir, error: String(err) });
      }
      poll = setInterval(() => void rescan(), pollMs);
    },
    async close() {
      closed = true;
      watcher?.close();
      watcher = undefined;
      if (poll) clearInterval(poll);
      poll = undefined;
      await loop.close();
    },
    snapshot: () => set.snapshot(),
    issues: () => set.issues(),
    rescan,
  };
}

/** Resource files below `dir`, relative, `/`-separated, skipping hidden segments. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries
    .map((e) => e.split(sep).join('/'))
    .filter((rel) => !rel.split('/').some((seg) => seg.startsWith('.')) && isResourceFile(rel))
    .sort();
}
