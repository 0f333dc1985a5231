import { hashParts } from '../src/shared/hash.js';
import type { Resource, ResourceRef } from './resource.js';

export interface SnapshotInit {
  /** Resources by type URL. Every resource must carry that type URL; names must be unique per type. */
  readonly resources: Readonly<Record<string, readonly Resource[]>>;
  /**
   * Explicit per-type versions. A type without one gets a content hash over
   * its sorted (name, resource version) pairs, so equal content always has
   * equal versions, on every replica and after a restart.
   */
  readonly versions?: Readonly<Record<string, string>>;
}

/** A referenced resource that the snapshot does not contain, and who references it. */
export interface ConsistencyIssue {
  readonly typeUrl: string;
  readonly name: string;
  readonly referencedBy: readonly ResourceRef[];
  readonly message: string;
}

/**
 * An immutable set of resources per type with a version per type. Snapshots
 * share Resource objects (never copies), so building the next snapshot from
 * mostly the same resources costs no re-encoding.
 */
export interface Snapshot {
  /** Type URLs that were given to createSnapshot (possibly with no resources). */
  typeUrls(): readonly string[];
  /** The version of `typeUrl`; a type the snapshot does not mention has the version of the empty set. */
  version(typeUrl: string): string;
  /** Resources of `typeUrl` by name; empty for a type the snapshot does not mention. */
  resources(typeUrl: string): ReadonlyMap<string, Resource>;
  /**
   * Every reference (Resource.references, e.g. CDS cluster -> EDS, LDS
   * listener -> RDS) that does not resolve inside this snapshot. Unreferenced
   * resources are fine. Empty when consistent.
   */
  consistencyErrors(): readonly ConsistencyIssue[];
  /** Throws SnapshotInconsistentError listing every issue of consistencyErrors(). */
  checkConsistent(): void;
}

/** Thrown by Snapshot.checkConsistent(); `issues` holds every dangling reference. */
export class SnapshotInconsistentError extends Error {
  override readonly name = 'SnapshotInconsistentError';
  readonly issues: readonly ConsistencyIssue[];

  constructor(issues: readonly ConsistencyIssue[]) {
    super(`snapshot is inconsistent (${issues.length} missing): ${issues.map((i) => i.message).join('; ')}`);
    this.issues = issues;
  }
}

const EMPTY_RESOURCES: ReadonlyMap<string, Resource> = new Map();
/** Version of a type with no resources (what a type absent from a snapshot reports). */
export const EMPTY_SET_VERSION = hashParts([]);

/** Content version of a set of resources: hash over (name, version) pairs sorted by name. */
export function setVersion(resources: Iterable<Resource>): string {
  const sorted = [...resources].sort((a, b) => compareNames(a.name, b.name));
  const parts: string[] = [];
  for (const r of sorted) parts.push(r.name, r.version);
  return hashParts(parts);
}

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class ImmutableSnapshot implements Snapshot {
  readonly #byType = new Map<string, ReadonlyMap<string, Resource>>();
  readonly #versions = new Map<string, string>();
  #issues: readonly ConsistencyIssue[] | undefined;

  constructor(init: SnapshotInit) {
    const problems: string[] = [];
    for (const [typeUrl, list] of Object.entries(init.resources)) {
      const byName = new Map<string, Resource>();
      for (const r of list) {
        if (r.typeUrl !== typeUrl) problems.push(`resource ${r.name} has type ${r.typeUrl} but is listed under ${typeUrl}`);
        else if (byName.has(r.name)) problems.push(`duplicate ${typeUrl} resource ${r.name}`);
        else byName.set(r.name, r);
      }
      this.#byType.set(typeUrl, byName);
    }
    if (problems.length > 0) throw new Error(`invalid snapshot: ${problems.join('; ')}`);
    for (const [typeUrl, byName] of this.#byType) {
      this.#versions.set(typeUrl, init.versions?.[typeUrl] ?? setVersion(byName.values()));
    }
    for (const [typeUrl, version] of Object.entries(init.versions ?? {})) {
      if (!this.#versions.has(typeUrl)) this.#versions.set(typeUrl, version);
    }
  }

  typeUrls(): readonly string[] {
    return [...this.#byType.keys()];
  }

  version(typeUrl: string): string {
    return this.#versions.get(typeUrl) ?? EMPTY_SET_VERSION;
  }

  resources(typeUrl: string): ReadonlyMap<string, Resource> {
    return this.#byType.get(typeUrl) ?? EMPTY_RESOURCES;
  }

  consistencyErrors(): readonly ConsistencyIssue[] {
    this.#issues ??= this.#findIssues();
    return this.#issues;
  }

  checkConsistent(): void {
    const issues = this.consistencyErrors();
    if (issues.length > 0) throw new SnapshotInconsistentError(issues);
  }

  #findIssues(): readonly ConsistencyIssue[] {
    const missing = new Map<string, { ref: ResourceRef; by: ResourceRef[] }>();
    for (const byName of this.#byType.values()) {
      for (const r of byName.values()) {
        for (const ref of r.references) {
          if (this.resources(ref.typeUrl).has(ref.name)) continue;
          const id = `${ref.typeUrl}\0${ref.name}`;
          let entry = missing.get(id);
          if (!entry) missing.set(id, (entry = { ref, by: [] }));
          entry.by.push({ typeUrl: r.typeUrl, name: r.name });
        }
      }
    }
    const issues = [...missing.values()].map(({ ref, by }) => ({
      typeUrl: ref.typeUrl,
      name: ref.name,
      referencedBy: by,
      message: `${shortType(ref.typeUrl)} "${ref.name}" is missing (referenced by ${by
        .map((b) => `${shortType(b.typeUrl)} "${b.name}"`)
        .join(', ')})`,
    }));
    issues.sort((a, b) => compareNames(a.typeUrl, b.typeUrl) || compareNames(a.name, b.name));
    return Object.freeze(issues);
  }
}

function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1) || typeUrl;
}

/**
 * Builds an immutable snapshot. Throws when a resource is listed under the
 * wrong type URL or a name repeats within a type (every problem is listed).
 * Reference consistency is not enforced here: call checkConsistent().
 */
export function createSnapshot(init: SnapshotInit): Snapshot {
  return new ImmutableSnapshot(init);
}
