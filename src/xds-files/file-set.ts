import type { Resource } from '../../cache/resource.js';
import { createSnapshot, type Snapshot } from '../../cache/snapshot.js';
import { TypeUrl } from '../../cache/types.js';
import { parseResourceFile, type FileIssue, type ParseOptions } from './parse-file.js';

/**
 * The resources of a directory of files, kept per file with last-good
 * semantics: a file that fails to parse or validate is reported, and the
 * resources of its last valid content keep being served until it is fixed or
 * deleted. Pure (no I/O): the watcher feeds file contents in.
 */
export interface XdsFileSet {
  /**
   * Applies the current content of `file` (relative path), or its deletion
   * when `text` is undefined. Returns true when the served resources changed.
   */
  update(file: string, text: string | undefined): boolean;
  /**
   * Records that `file` could not be read (too large, unreadable): the
   * reason becomes its issue and its last good resources stay served. The
   * next `update` parses the file again whatever its text.
   */
  refuse(file: string, reason: string): void;
  /** Files currently known (with or without a last good version), sorted. */
  files(): string[];
  /**
   * The served resources: last good content of every file, merged. A name
   * defined by two files of the same type is served from the file that sorts
   * first. Memoised until the next change.
   */
  snapshot(): Snapshot;
  /**
   * Every current problem: parse and validation issues per file (`kind`
   * "invalid"; that file's last good version is being served), broken
   * protoc-gen-validate rules of served resources ("warning", with the
   * `rule`), name collisions ("collision") and references to resources no
   * file defines ("reference", served anyway: clients wait for the missing
   * resource).
   */
  issues(): KindedIssue[];
}

export type IssueKind = 'invalid' | 'warning' | 'collision' | 'reference';
export type KindedIssue = FileIssue & { readonly kind: IssueKind };

/** Types always present in snapshots, so clients get a (possibly empty) answer for each. */
const CORE_TYPES = [TypeUrl.Listener, TypeUrl.Route, TypeUrl.Cluster, TypeUrl.Endpoint];

interface FileState {
  /** The text parsed last; undefined after a refusal, so any next text is parsed. */
  text: string | undefined;
  lastGood: readonly Resource[] | undefined;
  /** Broken protoc-gen-validate rules of the last good content. */
  lastGoodWarnings: readonly FileIssue[];
  issues: readonly FileIssue[];
}

export function createXdsFileSet(opts: ParseOptions = {}): XdsFileSet {
  const files = new Map<string, FileState>();
  // The merged view changes only when some file's served (last good) resources change,
  // so an invalid edit leaves the very same Snapshot object in place.
  let merged: { snapshot: Snapshot; issues: KindedIssue[] } | undefined;

  const merge = () => {
    if (merged) return merged;
    const issues: KindedIssue[] = [];
    const byType = new Map<string, Map<string, { resource: Resource; file: string }>>(CORE_TYPES.map((t) => [t, new Map()]));
    const owner = new Map<string, string>();
    for (const file of [...files.keys()].sort()) {
      for (const resource of files.get(file)?.lastGood ?? []) {
        let named = byType.get(resource.typeUrl);
        if (!named) byType.set(resource.typeUrl, (named = new Map()));
        const existing = named.get(resource.name);
        if (existing) {
          issues.push({
            file,
            field: 'name',
            reason: `${shortType(resource.typeUrl)} "${resource.name}" is also defined in ${existing.file}, which is served`,
            kind: 'collision',
          });
          continue;
        }
        named.set(resource.name, { resource, file });
        owner.set(`${resource.typeUrl} ${resource.name}`, file);
      }
    }
    const resources: Record<string, Resource[]> = {};
    for (const [typeUrl, named] of byType) resources[typeUrl] = [...named.values()].map((e) => e.resource);
    const snapshot = createSnapshot({ resources });
    for (const c of snapshot.consistencyErrors()) {
      for (const ref of c.referencedBy) {
        issues.push({
          file: owner.get(`${ref.typeUrl} ${ref.name}`) ?? '',
          field: '',
          reason: `${shortType(ref.typeUrl)} "${ref.name}" references ${shortType(c.typeUrl)} "${c.name}", which no file defines`,
          kind: 'reference',
        });
      }
    }
    merged = { snapshot, issues };
    return merged;
  };

  return {
    update(file, text) {
      const prev = files.get(file);
      if (text === undefined) {
        if (!prev) return false;
        files.delete(file);
        const changed = (prev.lastGood?.length ?? 0) > 0;
        if (changed) merged = undefined;
        return changed;
      }
      if (prev && prev.text === text) return false;
      const parsed = parseResourceFile(file, text, opts);
      const ok = parsed.issues.length === 0;
      files.set(file, {
        text,
        lastGood: ok ? parsed.resources : prev?.lastGood,
        lastGoodWarnings: ok ? parsed.warnings : (prev?.lastGoodWarnings ?? []),
        issues: parsed.issues,
      });
      const changed = ok && !sameResources(prev?.lastGood, parsed.resources);
      if (changed) merged = undefined;
      return changed;
    },
    refuse(file, reason) {
      const prev = files.get(file);
      files.set(file, { text: undefined, lastGood: prev?.lastGood, lastGoodWarnings: prev?.lastGoodWarnings ?? [], issues: [{ file, field: '', reason }] });
    },
    files: () => [...files.keys()].sort(),
    snapshot: () => merge().snapshot,
    issues() {
      const invalid: KindedIssue[] = [];
      const warnings: KindedIssue[] = [];
      for (const file of [...files.keys()].sort()) {
        const state = files.get(file);
        for (const i of state?.issues ?? []) invalid.push({ ...i, kind: 'invalid' });
        for (const w of state?.lastGoodWarnings ?? []) warnings.push({ ...w, kind: 'warning' });
      }
      return [...invalid, ...warnings, ...merge().issues];
    },
  };
}

function sameResources(a: readonly Resource[] | undefined, b: readonly Resource[]): boolean {
  if (!a || a.length !== b.length) return false;
  return a.every((r, i) => r.typeUrl === b[i]?.typeUrl && r.name === b[i]?.name && r.version === b[i]?.version);
}

function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}
