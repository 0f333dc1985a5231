/**
 * Bounds on what one configuration file may cost, for every reader of
 * directories of files (the `file:` source's manifests, serve-xds's
 * resources). A file over a bound is refused with a problem naming it (its
 * last good content stays); the rest of the directory loads. Without bounds
 * one file can exhaust memory or stall the event loop for minutes: 50 MB of
 * manifests (577k objects) took 3.8 GB.
 */
export interface FileLimits {
  /** Largest file read, in bytes (`--file-max-bytes`). */
  readonly maxFileBytes: number;
  /** Most objects in one file, List items included (`--file-max-objects`). */
  readonly maxObjectsPerFile: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = {
  maxFileBytes: 4 * 1024 * 1024,
  maxObjectsPerFile: 10_000,
};

/**
 * Deepest nesting of maps and lists in one document. Real manifests stay
 * below 20 levels; the code that walks objects recursively (validation,
 * trimming, canonical JSON, protobuf encoding, JSON.stringify) must never
 * meet a depth that exhausts the stack.
 */
export const MAX_NESTING_DEPTH = 100;

/** YAML alias expansions per document (the yaml library's own default), against alias bombs. */
export const MAX_ALIAS_EXPANSIONS = 100;

/**
 * True when `value` nests maps and lists deeper than `max`. Iterative, so a
 * document nested thousands deep cannot overflow the stack here.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/** A problem text for what a YAML/JSON parser threw: stack exhaustion and alias bombs get words a user can act on. */
export function parserFailure(err: unknown): string {
  if (err instanceof RangeError && /call stack/i.test(err.message)) return TOO_DEEP;
  if (err instanceof ReferenceError && /alias/i.test(err.message)) return `YAML: more than ${MAX_ALIAS_EXPANSIONS} alias expansions (a possible alias bomb); document refused`;
  return `cannot parse: ${err instanceof Error ? err.message : String(err)}`;
}

/** The problem text for a document nested deeper than MAX_NESTING_DEPTH. */
export const TOO_DEEP = `nested more than ${MAX_NESTING_DEPTH} levels deep; document refused`;
