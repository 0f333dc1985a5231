import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import type { Resource } from '../../cache/resource.js';
import { encodeResource, encodeResourceWithWarnings, ResourceError } from '../../server/codec/resource-codec.js';
import { DEFAULT_FILE_LIMITS, MAX_ALIAS_EXPANSIONS, MAX_NESTING_DEPTH, nestsDeeperThan, parserFailure, TOO_DEEP, type FileLimits } from '../shared/file-limits.js';
import { jsonErrorOffset } from './json-error-offset.js';

/**
 * Parses one resource file: `*.json` holds one resource object or an array
 * of them; `*.yaml`/`*.yml` holds one or more documents, each a resource or
 * a list of resources. Every resource carries its `@type`. Pure: the caller
 * reads the file. Never throws: an alias bomb, a document nested too deeply,
 * too many resources or anything a parser throws is an issue of the file.
 */

/** A problem in a resource file. Positions are 0-based indexes and a 1-based line. */
export interface FileIssue {
  /** Path relative to the watched directory (`/`-separated). */
  readonly file: string;
  /** YAML document index (0 for JSON); undefined for file-level problems. */
  readonly document?: number;
  /** Index within a document that is a list. */
  readonly index?: number;
  /** 1-based line of the offending node (or the nearest enclosing one), when known. */
  readonly line?: number;
  /** Field path inside the resource (e.g. `api_listener.api_listener.rds`); empty for the whole resource. */
  readonly field: string;
  readonly reason: string;
  /** The protoc-gen-validate rule broken (e.g. `string.min_len = 1`), for a rule violation. */
  readonly rule?: string;
}

/** One line of human-readable text for an issue. */
export function formatIssue(issue: FileIssue): string {
  const where = [issue.file + (issue.line !== undefined ? `:${issue.line}` : '')];
  if (issue.document !== undefined) where.push(`document ${issue.document}${issue.index !== undefined ? ` item ${issue.index}` : ''}`);
  if (issue.field) where.push(issue.field);
  return `${where.join(': ')}: ${issue.reason}${issue.rule ? ` (rule ${issue.rule})` : ''}`;
}

export interface ParsedFile {
  readonly resources: readonly Resource[];
  /** Empty when the whole file is valid; otherwise the file must not be served. */
  readonly issues: readonly FileIssue[];
  /** Broken protoc-gen-validate rules of resources that are served anyway (always empty with `strictValidate`). */
  readonly warnings: readonly FileIssue[];
}

export interface ParseOptions extends Partial<Pick<FileLimits, 'maxObjectsPerFile'>> {
  /** Refuse resources that break a protoc-gen-validate rule (as issues) instead of serving them with warnings. */
  readonly strictValidate?: boolean;
}

/** True for names the loader reads: `.json`, `.yaml`, `.yml`, not hidden (editors' and atomic writers' temp files are). */
export function isResourceFile(relPath: string): boolean {
  const base = relPath.slice(relPath.lastIndexOf('/') + 1);
  return !base.startsWith('.') && /\.(json|ya?ml)$/i.test(base);
}

export function parseResourceFile(file: string, text: string, opts: ParseOptions = {}): ParsedFile {
  const maxObjects = opts.maxObjectsPerFile ?? DEFAULT_FILE_LIMITS.maxObjectsPerFile;
  let parsed: ParsedFile;
  try {
    parsed = parseUnguarded(file, text, opts.strictValidate ?? false);
  } catch (err) {
    return { resources: [], issues: [{ file, field: '', reason: parserFailure(err) }], warnings: [] };
  }
  if (parsed.resources.length > maxObjects) {
    const reason = `more than ${maxObjects} resources in one file (--file-max-objects); file refused`;
    return { resources: [], issues: [{ file, field: '', reason }], warnings: [] };
  }
  return parsed;
}

function parseUnguarded(file: string, text: string, strictValidate: boolean): ParsedFile {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const issues: FileIssue[] = [];
  const warnings: FileIssue[] = [];
  const resources: Resource[] = [];
  const isJson = /\.json$/i.test(file);
  const list = Array.isArray(docs) ? docs : [];
  if (isJson) {
    const syntax = jsonSyntaxIssue(file, text, lineCounter);
    if (syntax) return { resources, issues: [syntax], warnings };
    if (list.length !== 1) return { resources, issues: [{ file, field: '', reason: 'a JSON file holds one resource object or one array' }], warnings };
  }
  list.forEach((doc, d) => {
    const document = isJson ? 0 : d;
    for (const err of doc.errors) {
      const message = firstLine(err.message);
      issues.push({ file, document, line: lineCounter.linePos(err.pos[0]).line, field: '', reason: /call stack/i.test(message) ? TOO_DEEP : `syntax error: ${message}` });
    }
    if (doc.errors.length || doc.contents === null) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
    } catch (err) {
      issues.push({ file, document, field: '', reason: parserFailure(err) });
      return;
    }
    if (value === null || value === undefined) return; // an empty document, e.g. after a trailing "---"
    if (nestsDeeperThan(value, MAX_NESTING_DEPTH)) {
      issues.push({ file, document, field: '', reason: TOO_DEEP });
      return;
    }
    const items: [unknown, number | undefined, Node | undefined][] = Array.isArray(value)
      ? value.map((v, i) => [v, i, isSeq(doc.contents) ? (doc.contents.items[i] as Node | undefined) : undefined])
      : [[value, undefined, doc.contents ?? undefined]];
    for (const [item, index, node] of items) {
      const at = (field: string) => {
        const line = lineOf(node, field, lineCounter);
        return { file, document, ...(index !== undefined ? { index } : {}), ...(line !== undefined ? { line } : {}), field };
      };
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        issues.push({ ...at(''), reason: 'expected a resource object with "@type"' });
        continue;
      }
      try {
        if (strictValidate) {
          resources.push(encodeResource(item));
        } else {
          const encoded = encodeResourceWithWarnings(item);
          resources.push(encoded.resource);
          for (const w of encoded.warnings) warnings.push({ ...at(w.path), reason: w.reason, ...(w.rule ? { rule: w.rule } : {}) });
        }
      } catch (err) {
        if (!(err instanceof ResourceError)) throw err;
        for (const i of err.issues) issues.push({ ...at(i.path), reason: i.reason, ...(i.rule ? { rule: i.rule } : {}) });
      }
    }
  });
  return { resources: issues.length ? [] : resources, issues, warnings: issues.length ? [] : warnings };
}

function jsonSyntaxIssue(file: string, text: string, lc: LineCounter): FileIssue | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const offset = jsonErrorOffset(text);
    const line = offset === undefined ? undefined : lc.linePos(offset).line;
    return { file, document: 0, ...(line !== undefined ? { line } : {}), field: '', reason: `syntax error: ${firstLine(message)}` };
  }
}

/**
 * The line of the node at `field` (a path such as `a.b[2]["k"].c`) below
 * `node`, or of the deepest ancestor found; nested Any values are inline
 * objects in the file, so field paths follow the file's structure.
 */
function lineOf(node: Node | undefined, field: string, lc: LineCounter): number | undefined {
  let current: Node | undefined = node;
  let best = current;
  for (const seg of field.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []) {
    if (!current) break;
    let next: unknown;
    if (seg.startsWith('[') && isSeq(current)) next = current.items[Number(seg.slice(1, -1))];
    else if (isMap(current)) {
      const key = seg.startsWith('["') ? (JSON.parse(seg.slice(1, -1)) as string) : seg;
      const pair = current.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
      next = pair?.value ?? pair?.key;
    }
    current = (next ?? undefined) as Node | undefined;
    if (current) best = current;
  }
  const offset = best?.range?.[0];
  return offset === undefined ? undefined : lc.linePos(offset).line;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
