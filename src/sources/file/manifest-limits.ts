/**
 * Bounds on what one manifest file may cost. A file over a bound is refused
 * with a problem naming it (its last good objects stay); the rest of the
 * directory loads. Without bounds one file can exhaust memory or stall the
 * event loop for minutes: 50 MB of manifests (577k objects) took 3.8 GB.
 */
export interface ManifestLimits {
  /** Largest file read, in bytes (`--file-max-bytes`). */
  readonly maxFileBytes: number;
  /** Most objects in one file, List items included (`--file-max-objects`). */
  readonly maxObjectsPerFile: number;
}

export const DEFAULT_MANIFEST_LIMITS: ManifestLimits = {
  maxFileBytes: 4 * 1024 * 1024,
  maxObjectsPerFile: 10_000,
};

/**
 * Deepest nesting of maps and lists in one document. Real manifests stay
 * below 20 levels; the code that walks objects recursively (validation,
 * trimming, canonical JSON, JSON.stringify) must never meet a depth that
 * exhausts the stack.
 */
export const MAX_NESTING_DEPTH = 100;

/** YAML alias expansions per document (the yaml library's own default), against alias bombs. */
export const MAX_ALIAS_EXPANSIONS = 100;
