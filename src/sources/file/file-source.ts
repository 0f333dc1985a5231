/**
 * `--source file:DIR`: every *.yaml, *.yml and *.json under DIR (recursive)
 * as mesh objects. Changes (add, edit, delete, rename, atomic replace) are
 * picked up by one fs.watch per directory (a directory watch sees entries
 * created, replaced and removed; Node 20's recursive watch on Linux missed
 * removals of atomically replaced files in our tests) with a periodic rescan
 * as a safety net; both trigger the same debounced rescan, which re-reads
 * only files whose stat changed and emits the net difference as one batch.
 *
 * Ownership: an object key may come from several files (a rename is seen as
 * a delete plus an add); it is deleted only when no file provides it. When
 * two files (or two documents of one file) define the same object, the one
 * `kubectl apply -f DIR` would leave in place wins — the last in path order,
 * the later document within a file — and the other gets a warning naming
 * both places.
 *
 * Containment: whatever goes wrong with one file (unreadable, not a regular
 * file, over the size or object limit, unparseable, an alias bomb, nested
 * too deeply) is a problem of that file, reported with its name (to the log
 * and through `onProblems`), and the objects it provided before stay. A
 * directory that cannot be read is a problem too, and the files below it
 * keep their objects. Symbolic links are followed only when they resolve
 * inside DIR (a Kubernetes ConfigMap mount links files into hidden
 * directories); a link leading outside is a problem naming the link.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import { describeObject } from '../../model/errors.js';
import { objectKey, type MeshObject } from '../../model/types.js';
import type { Source, SourceEvent, SourceHandlers, SourceOrigin, SourceProblem } from '../../model/source-events.js';
import { parseManifests } from './parse-manifests.js';
import { DEFAULT_FILE_LIMITS, type FileLimits } from '../../shared/file-limits.js';
import { createRescanLoop } from '../../shared/rescan-loop.js';
import { mapLimit } from '../../shared/map-limit.js';

export interface FileSourceOptions {
  /** Directory to read, recursively. */
  dir: string;
  logger?: Logger;
  /**
   * Quiet time after a file-system event before rescanning (default 25 ms, at most 200): long
   * enough to see an editor's save (a burst of events within a few ms) as one change; the
   * controller's coalescing window batches whatever follows.
   */
  debounceMs?: number;
  /**
   * Period of the safety rescan (default 2000 ms). 0 disables it unless fs.watch is unavailable,
   * and makes `ready` reject when the first scan fails (one-shot use such as `validate`).
   */
  rescanIntervalMs?: number;
  /** Per-file bounds; see manifest-limits.ts. */
  limits?: Partial<FileLimits>;
}

const EXTENSIONS = /\.(ya?ml|json)$/i;
const IO_CONCURRENCY = 32;

interface Entry {
  readonly object: MeshObject;
  readonly origin: SourceOrigin;
  readonly text: string;
}

interface FileState {
  /** Stat fingerprint of the content read; "" when the file could not be stat'ed (retried every scan). */
  readonly stamp: string;
  /** Objects of the file by key (including keys kept from before a failure). */
  readonly objects: Map<string, Entry>;
  readonly problems: readonly SourceProblem[];
}

interface Provided {
  readonly objects: Map<string, Entry>;
  /** Warnings for definitions that lose to another of the same object, by the path of the losing file. */
  readonly duplicates: Map<string, SourceProblem[]>;
}

/** What one scan found by walking the tree. */
interface Walk {
  readonly files: string[];
  readonly dirs: Set<string>;
  /** Directories that could not be listed: files below them keep their state. */
  readonly unreadable: Set<string>;
  /** Problems of paths that are not files read (directories, links, special files), by path. */
  readonly problems: Map<string, SourceProblem[]>;
}

type Read =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'text'; readonly stamp: string; readonly text: string }
  | { readonly kind: 'failed'; readonly stamp: string; readonly reason: string };

const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

export function createFileSource(options: FileSourceOptions): Source {
  const dir = options.dir;
  const logger = options.logger ?? silentLogger;
  const debounceMs = Math.min(options.debounceMs ?? 25, 200);
  const rescanIntervalMs = options.rescanIntervalMs ?? 2000;
  const limits: FileLimits = { ...DEFAULT_FILE_LIMITS, ...options.limits };
  const files = new Map<string, FileState>();
  /** What the files provide, recomputed when a file's objects change. */
  let current: Provided = { objects: new Map(), duplicates: new Map() };
  /** What was last reported per scope (a JSON fingerprint), so unchanged problems are neither re-raised nor re-logged. */
  const reported = new Map<string, string>();
  let handlers: SourceHandlers | undefined;
  const watchers = new Map<string, FSWatcher>();
  let watchFailed = false;
  let interval: NodeJS.Timeout | undefined;
  let closed = false;
  let synced = false;
  let lastScanError: unknown;
  const loop = createRescanLoop({
    scan: () => scanOnce(),
    debounceMs,
    onError: (err) => {
      lastScanError = err;
      logger.error('file source scan failed; the objects loaded before stay', { dir, error: errText(err) });
    },
  });
  let resolveReady!: () => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  // Callers that never await ready must not see an unhandled rejection.
  ready.catch(() => undefined);

  /** Keeps exactly one watcher per directory seen by the last walk. */
  function syncWatchers(dirs: Set<string>): void {
    if (closed || watchFailed || !handlers) return;
    for (const [d, w] of watchers) {
      if (!dirs.has(d)) {
        w.close();
        watchers.delete(d);
      }
    }
    for (const d of dirs) {
      if (watchers.has(d)) continue;
      try {
        const w = watch(d, () => loop.schedule());
        w.on('error', () => {
          w.close();
          watchers.delete(d);
          loop.schedule();
        });
        watchers.set(d, w);
      } catch (err) {
        if (d !== dir) continue; // vanished; the next walk drops it
        watchFailed = true;
        logger.warn('fs.watch unavailable; rescanning every 500 ms', { dir, err: errText(err) });
        if (interval) clearInterval(interval);
        interval = setInterval(() => void loop.rescan(), 500);
      }
    }
  }

  const problemAt = (path: string, reason: string): SourceProblem => ({ origin: { source: 'file', file: path }, reason });

  async function walk(): Promise<Walk> {
    const out: Walk = { files: [], dirs: new Set(), unreadable: new Set(), problems: new Map() };
    const realRoot = await realpath(dir);
    const inside = (p: string) => p === realRoot || p.startsWith(realRoot + sep);
    const visit = async (d: string): Promise<void> => {
      out.dirs.add(d);
      let entries;
      try {
        entries = await readdir(d, { withFileTypes: true });
      } catch (err) {
        if (d === dir) throw err;
        if (errCode(err) === 'ENOENT') return; // a subdirectory vanished mid-scan
        out.unreadable.add(d);
        out.problems.set(d, [problemAt(d, `cannot read directory: ${errText(err)}; the objects of its files stay as last read`)]);
        return;
      }
      for (const e of entries) {
        if (e.name.startsWith('.')) continue; // editor swap files, .git, ConfigMap ..data
        const p = join(d, e.name);
        const manifest = EXTENSIONS.test(e.name);
        if (e.isDirectory()) await visit(p);
        else if (e.isSymbolicLink()) await visitLink(p, manifest);
        else if (!manifest) continue;
        else if (e.isFile()) out.files.push(p);
        else out.problems.set(p, [problemAt(p, 'not a regular file (a FIFO, socket or device); not read')]);
      }
    };
    const visitLink = async (p: string, manifest: boolean): Promise<void> => {
      let target: string;
      try {
        target = await realpath(p);
      } catch (err) {
        if (manifest && errCode(err) !== 'ENOENT') out.problems.set(p, [problemAt(p, `cannot resolve symbolic link: ${errText(err)}`)]);
        else if (manifest) out.problems.set(p, [problemAt(p, 'symbolic link to nothing (its target does not exist)')]);
        return;
      }
      const st = await stat(target).catch(() => undefined);
      if (!inside(target)) {
        if (manifest || st?.isDirectory()) out.problems.set(p, [problemAt(p, `symbolic link leads outside ${dir} (to ${target}); not followed`)]);
        return;
      }
      // A linked directory inside DIR is read where it really is.
      if (manifest && !st?.isDirectory()) out.files.push(p);
    };
    await visit(dir);
    return out;
  }

  async function readOne(path: string): Promise<Read> {
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      if (errCode(err) === 'ENOENT') return { kind: 'gone' };
      return { kind: 'failed', stamp: '', reason: `cannot read: ${errText(err)}` };
    }
    if (!st.isFile()) return { kind: 'failed', stamp: '', reason: 'not a regular file (a FIFO, socket or device); not read' };
    const stamp = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    if (files.get(path)?.stamp === stamp) return { kind: 'unchanged' };
    const tooLarge = (size: number): Read => ({
      kind: 'failed',
      stamp,
      reason: `file of ${size} bytes is larger than the limit of ${limits.maxFileBytes} bytes (--file-max-bytes); not read`,
    });
    if (st.size > limits.maxFileBytes) return tooLarge(st.size);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (errCode(err) === 'ENOENT') return { kind: 'gone' };
      return { kind: 'failed', stamp: '', reason: `cannot read: ${errText(err)}` };
    }
    // The file may have grown between stat and read.
    if (Buffer.byteLength(text) > limits.maxFileBytes) return tooLarge(Buffer.byteLength(text));
    return { kind: 'text', stamp, text };
  }

  /** The objects and problems of a file's new content; never throws (a failure is the file's problem). */
  function load(path: string, text: string): { objects: Map<string, Entry>; problems: SourceProblem[] } {
    try {
      const parsed = parseManifests(text, path, { limits });
      const objects = new Map<string, Entry>();
      const problems = [...parsed.problems];
      for (const o of parsed.objects) {
        const meta = o.object.metadata;
        const key = objectKey(o.object.kind, meta.namespace, meta.name);
        const earlier = objects.get(key);
        if (earlier) problems.push(duplicate(o.object, earlier.origin, o.origin));
        objects.set(key, { object: o.object, origin: o.origin, text: JSON.stringify(o.object) });
      }
      return { objects, problems };
    } catch (err) {
      return { objects: new Map(), problems: [problemAt(path, `cannot load: ${errText(err)}`)] };
    }
  }

  /** A warning on the definition that is ignored, naming the one that is used. */
  function duplicate(object: MeshObject, ignored: SourceOrigin, used: SourceOrigin): SourceProblem {
    const where = (o: SourceOrigin) => `${o.file ?? ''}${o.line !== undefined ? `:${o.line}` : ''}`;
    return {
      origin: ignored,
      object: describeObject(object.kind, object.metadata.namespace, object.metadata.name),
      severity: 'warning',
      reason: `also defined at ${where(used)}, which is used (the last definition in path order wins, as with kubectl apply -f); this definition is ignored`,
    };
  }

  /** Key → the object currently provided (the last file in path order wins), and warnings for the definitions that lose. */
  function provided(): Provided {
    const objects = new Map<string, Entry>();
    const owner = new Map<string, string>();
    const duplicates = new Map<string, SourceProblem[]>();
    for (const path of [...files.keys()].sort()) {
      for (const [k, v] of (files.get(path) as FileState).objects) {
        const earlier = objects.get(k);
        const earlierPath = owner.get(k);
        if (earlier && earlierPath !== undefined) {
          const list = duplicates.get(earlierPath) ?? [];
          list.push(duplicate(v.object, earlier.origin, v.origin));
          duplicates.set(earlierPath, list);
        }
        objects.set(k, v);
        owner.set(k, path);
      }
    }
    return { objects, duplicates };
  }

  /** Reports the problems of every scope that changed since the last report (and clears the scopes that are gone). */
  function report(current: Map<string, SourceProblem[]>): void {
    for (const scope of [...reported.keys()]) {
      if (current.has(scope)) continue;
      reported.delete(scope);
      handlers?.onProblems?.(scope, []);
    }
    for (const [scope, problems] of current) {
      const fingerprint = JSON.stringify(problems);
      if (reported.get(scope) === fingerprint) continue;
      reported.set(scope, fingerprint);
      for (const p of problems) {
        const fields = {
          file: p.origin?.file ?? scope,
          line: p.origin?.fieldLine?.(p.field ?? '') ?? p.origin?.line,
          ...(p.object ? { object: p.object } : {}),
          ...(p.field ? { field: p.field } : {}),
          reason: p.reason,
        };
        if (p.severity === 'warning') logger.warn('manifest warning', fields);
        else logger.error('manifest problem', fields);
      }
      handlers?.onProblems?.(scope, problems);
    }
  }

  async function scanOnce(): Promise<void> {
    const found = await walk();
    syncWatchers(found.dirs);
    const before = current.objects;
    const seen = new Set(found.files);
    const underUnreadable = (path: string) => [...found.unreadable].some((d) => path.startsWith(d + sep));
    let changed = false;
    for (const path of [...files.keys()]) {
      if (!seen.has(path) && !underUnreadable(path)) {
        files.delete(path);
        changed = true;
      }
    }
    // Stat and read in parallel (bounded): on a busy machine the thread-pool
    // round trips, not parsing, dominate a sequential scan of many files.
    const sorted = found.files.sort();
    const reads = await mapLimit(sorted, IO_CONCURRENCY, readOne);
    for (const [i, path] of sorted.entries()) {
      const read = reads[i] as Read;
      if (read.kind === 'unchanged' || read.kind === 'gone') continue;
      const prev = files.get(path);
      if (read.kind === 'failed') {
        files.set(path, { stamp: read.stamp, objects: prev?.objects ?? new Map(), problems: [problemAt(path, read.reason)] });
        continue;
      }
      const { objects, problems } = load(path, read.text);
      if (problems.some((p) => p.severity !== 'warning') && prev) {
        for (const [k, v] of prev.objects) if (!objects.has(k)) objects.set(k, v);
      }
      files.set(path, { stamp: read.stamp, objects, problems });
      changed = true;
    }
    if (changed) current = provided();
    const problems = new Map(found.problems);
    for (const [path, state] of files) {
      const list = [...state.problems, ...(current.duplicates.get(path) ?? [])];
      if (list.length > 0) problems.set(path, list);
    }
    report(problems);
    if (changed) emit(before, current.objects);
    if (!synced) {
      synced = true;
      resolveReady();
    }
  }

  function emit(before: Map<string, Entry>, after: Map<string, Entry>): void {
    const events: SourceEvent[] = [];
    for (const [k, v] of before) {
      if (!after.has(k)) events.push({ type: 'delete', object: v.object, origin: v.origin });
    }
    for (const [k, v] of after) {
      const old = before.get(k);
      if (!old || old.text !== v.text) events.push({ type: 'upsert', object: v.object, origin: v.origin });
    }
    if (events.length === 0) return;
    try {
      handlers?.onEvents(events);
    } catch (err) {
      logger.error('file source handler failed', { err: errText(err) });
    }
  }

  return {
    name: `file:${dir}`,
    ready,
    start(h) {
      if (handlers) throw new Error('file source already started');
      handlers = h;
      void (async () => {
        try {
          await readdir(dir);
        } catch (err) {
          rejectReady(new Error(`cannot read ${dir}: ${errText(err)}`));
          return;
        }
        await loop.rescan();
        if (closed) return resolveReady();
        // A first scan that failed as a whole is retried by the periodic rescan; ready waits for one that succeeds.
        if (!synced && rescanIntervalMs === 0) return rejectReady(new Error(`cannot read ${dir}: ${errText(lastScanError)}`));
        if (!interval && rescanIntervalMs > 0) interval = setInterval(() => void loop.rescan(), rescanIntervalMs);
      })();
    },
    async close() {
      closed = true;
      if (interval) clearInterval(interval);
      interval = undefined;
      await loop.close();
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
