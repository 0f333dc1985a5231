import type { Resource } from './resource.js';
import { compareNames } from './snapshot.js';
import type { SotwResponse } from './types.js';

/**
 * One type's resources at one version, as the response builders read them.
 * A cache creates a view per (snapshot, type) or per linear-cache generation
 * and must not change `resources` while the view is in use. The view
 * memoises derived data and the responses built from it, so every watch that
 * gets identical content gets the same SotwResponse object (the server
 * encodes each response object once).
 */
export interface ResourceView {
  readonly typeUrl: string;
  /** The type version (SotW version_info, delta system_version_info). */
  readonly version: string;
  readonly resources: ReadonlyMap<string, Resource>;
  /** Every resource sorted by name; built on first use, then shared. */
  sorted(): readonly Resource[];
  /** name -> resource version for every resource; built on first use, then shared. */
  versions(): ReadonlyMap<string, string>;
  /** The response memoised under `key`, built by `build` the first time. */
  memo(key: string, build: () => SotwResponse): SotwResponse;
  /**
   * The outcome memoised for (`held`, `key`), computed by `decide` the first
   * time. Only for `held` objects that never change (maps the cache issued
   * itself), so many watches holding the same state are decided once.
   */
  decision(held: object, key: string, decide: () => SotwResponse | undefined): SotwResponse | undefined;
}

/**
 * Bound on memoised responses per view. Each distinct subscription shape
 * (set of named resources) adds one; past the bound responses are still
 * correct, only no longer shared.
 */
const MAX_MEMO_ENTRIES = 4096;

export function createResourceView(typeUrl: string, version: string, resources: ReadonlyMap<string, Resource>): ResourceView {
  let sorted: readonly Resource[] | undefined;
  let versions: ReadonlyMap<string, string> | undefined;
  const memo = new Map<string, SotwResponse>();
  const decisions = new WeakMap<object, Map<string, SotwResponse | null>>();
  return {
    typeUrl,
    version,
    resources,
    sorted() {
      sorted ??= Object.freeze([...resources.values()].sort((a, b) => compareNames(a.name, b.name)));
      return sorted;
    },
    versions() {
      if (!versions) {
        const m = new Map<string, string>();
        for (const r of this.sorted()) m.set(r.name, r.version);
        versions = m;
      }
      return versions;
    },
    memo(key, build) {
      const hit = memo.get(key);
      if (hit) return hit;
      const res = build();
      if (memo.size < MAX_MEMO_ENTRIES) memo.set(key, res);
      return res;
    },
    decision(held, key, decide) {
      let byKey = decisions.get(held);
      if (!byKey) decisions.set(held, (byKey = new Map()));
      const hit = byKey.get(key);
      if (hit !== undefined) return hit ?? undefined;
      const out = decide();
      byKey.set(key, out ?? null);
      return out;
    },
  };
}
