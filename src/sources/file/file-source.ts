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
 * a delete plus an add); it is deleted only when no file provides it. A file
 * with a broken document keeps the keys it provided before, so the last good
 * version of an object in a broken document stays.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import { objectKey, type MeshObject } from '../../model/types.js';
import type { Source, SourceEvent, SourceHandlers, SourceOrigin } from '../../model/source-events.js';
import { parseManifests } from './parse-manifests.js';
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
  /** Period of the safety rescan (default 2000 ms; 0 disables it unless fs.watch is unavailable). */
  rescanIntervalMs?: number;
}

const EXTENSIONS = /\.(ya?ml|json)$/i;
const IO_CONCURRENCY = 32;

interface FileState {
  readonly stamp: string;
  /** Objects of the file by key (including keys kept from before a broken document). */
  readonly objects: Map<string, { object: MeshObject; origin: SourceOrigin; text: string }>;
}

export function createFileSource(options: FileSourceOptions): Source {
  const dir = options.dir;
  const logger = options.logger ?? silentLogger;
  const debounceMs = Math.min(options.debounceMs ?? 25, 200);
  const rescanIntervalMs = options.rescanIntervalMs ?? 2000;
  const files = new Map<string, FileState>();
  let handlers: SourceHandlers | undefined;
  const watchers = new Map<string, FSWatcher>();
  let watchFailed = false;
  let interval: NodeJS.Timeout | undefined;
  let closed = false;
  const loop = createRescanLoop({
    scan: () => scanOnce(),
    debounceMs,
    onError: (err) => logger.warn('file source rescan failed', { dir, err: err instanceof Error ? err.message : String(err) }),
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
        logger.warn('fs.watch unavailable; rescanning every 500 ms', { dir, err: err instanceof Error ? err.message : String(err) });
        if (interval) clearInterval(interval);
        interval = setInterval(() => void loop.rescan(), 500);
      }
    }
  }

  async function walk(d: string, out: string[], dirs?: Set<string>): Promise<void> {
    dirs?.add(d);
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      if (d === dir) throw err;
      return; // a subdirectory vanished mid-scan
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue; // editor swap files, .git
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p, out, dirs);
      else if ((e.isFile() || e.isSymbolicLink()) && EXTENSIONS.test(e.name)) out.push(p);
    }
  }

  /** Key → the object currently provided (first file in path order wins). */
  function provided(): Map<string, { object: MeshObject; origin: SourceOrigin; text: string }> {
    const out = new Map<string, { object: MeshObject; origin: SourceOrigin; text: string }>();
    for (const path of [...files.keys()].sort()) {
      for (const [k, v] of (files.get(path) as FileState).objects) if (!out.has(k)) out.set(k, v);
    }
    return out;
  }

  async function scanOnce(): Promise<void> {
    const paths: string[] = [];
    const dirs = new Set<string>();
    await walk(dir, paths, dirs);
    syncWatchers(dirs);
    const before = provided();
    const seen = new Set(paths);
    let changed = false;
    for (const path of [...files.keys()]) {
      if (!seen.has(path)) {
        files.delete(path);
        handlers?.onProblems?.(path, []);
        changed = true;
      }
    }
    // Stat and read in parallel (bounded): on a busy machine the thread-pool
    // round trips, not parsing, dominate a sequential scan of many files.
    const sorted = paths.sort();
    const reads = await mapLimit(sorted, IO_CONCURRENCY, async (path) => {
      try {
        const st = await stat(path);
        const stamp = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
        if (files.get(path)?.stamp === stamp) return undefined;
        return { stamp, text: await readFile(path, 'utf8') };
      } catch {
        return undefined; // removed between readdir and read; the next scan sees it gone
      }
    });
    for (const [i, path] of sorted.entries()) {
      const read = reads[i];
      if (!read) continue;
      const { stamp, text } = read;
      const prev = files.get(path);
      const parsed = parseManifests(text, path);
      const objects = new Map<string, { object: MeshObject; origin: SourceOrigin; text: string }>();
      for (const o of parsed.objects) {
        const key = objectKey(o.object.kind, o.object.metadata.namespace, o.object.metadata.name);
        objects.set(key, { object: o.object, origin: o.origin, text: JSON.stringify(o.object) });
      }
      if (parsed.problems.length > 0 && prev) {
        for (const [k, v] of prev.objects) if (!objects.has(k)) objects.set(k, v);
      }
      files.set(path, { stamp, objects });
      handlers?.onProblems?.(path, parsed.problems);
      changed = true;
    }
    if (!changed) return;
    const after = provided();
    const events: SourceEvent[] = [];
    for (const [k, v] of before) {
      if (!after.has(k)) events.push({ type: 'delete', object: v.object, origin: v.origin });
    }
    for (const [k, v] of after) {
      const old = before.get(k);
      if (!old || old.text !== v.text) events.push({ type: 'upsert', object: v.object, origin: v.origin });
    }
    if (events.length > 0) {
      try {
        handlers?.onEvents(events);
      } catch (err) {
        logger.error('file source handler failed', { err: err instanceof Error ? err.message : String(err) });
      }
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
          await walk(dir, []);
        } catch (err) {
          rejectReady(new Error(`cannot read ${dir}: ${err instanceof Error ? err.message : String(err)}`));
          return;
        }
        await loop.rescan();
        if (closed) return resolveReady();
        if (!interval && rescanIntervalMs > 0) interval = setInterval(() => void loop.rescan(), rescanIntervalMs);
        resolveReady();
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
