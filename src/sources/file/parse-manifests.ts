/**
 * Parses a manifest file (multi-document YAML, or JSON) into objects with
 * their `file:line` origin. A document that does not parse, is not a
 * Kubernetes-shaped object, expands too many aliases or nests too deeply
 * becomes a problem; the other documents load. A file with more objects than
 * allowed is refused as a whole. `kind: List` documents are expanded into
 * their items. Never throws: whatever goes wrong is a problem of this file.
 */
import { Composer, LineCounter, Parser, type Document } from 'yaml';
import type { MeshObject } from '../../model/types.js';
import type { SourceOrigin, SourceProblem } from '../../model/source-events.js';
import { createFieldLineLookup, type FieldLineLookup } from './field-lines.js';
import { DEFAULT_FILE_LIMITS, MAX_ALIAS_EXPANSIONS, MAX_NESTING_DEPTH, nestsDeeperThan, parserFailure, TOO_DEEP, type FileLimits } from '../../shared/file-limits.js';

export interface ParsedObject {
  readonly object: MeshObject;
  readonly origin: SourceOrigin;
}

export interface ParseResult {
  readonly objects: ParsedObject[];
  readonly problems: SourceProblem[];
}

export interface ParseOptions {
  /** `SourceOrigin.source` of the results (default `file`). */
  readonly source?: string;
  /** Only `maxObjectsPerFile` is read here; the caller checks the size before reading. */
  readonly limits?: Pick<FileLimits, 'maxObjectsPerFile'>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: Record<string, unknown>): string | undefined {
  const meta = isRecord(v['metadata']) ? v['metadata'] : {};
  const kind = typeof v['kind'] === 'string' ? v['kind'] : undefined;
  const name = typeof meta['name'] === 'string' ? meta['name'] : undefined;
  if (!kind && !name) return undefined;
  const ns = typeof meta['namespace'] === 'string' ? meta['namespace'] : '';
  return `${kind ?? '<no kind>'} ${ns ? `${ns}/` : ''}${name ?? '<no name>'}`;
}

/** `a.b` joined without a dangling dot when either side is empty. */
function joinPath(a: string, b: string): string {
  return a && b ? `${a}.${b}` : a || b;
}

/** Shape checks that must pass before an object can even be keyed. */
function shapeProblems(v: unknown): { field: string; reason: string }[] {
  if (!isRecord(v)) return [{ field: '', reason: `document is not an object (${Array.isArray(v) ? 'array' : typeof v})` }];
  const out: { field: string; reason: string }[] = [];
  if (typeof v['apiVersion'] !== 'string' || v['apiVersion'] === '') out.push({ field: 'apiVersion', reason: 'Required value' });
  if (typeof v['kind'] !== 'string' || v['kind'] === '') out.push({ field: 'kind', reason: 'Required value' });
  if (!isRecord(v['metadata'])) out.push({ field: 'metadata', reason: 'Required value' });
  else if (typeof v['metadata']['name'] !== 'string' || v['metadata']['name'] === '') out.push({ field: 'metadata.name', reason: 'Required value' });
  else if (v['metadata']['namespace'] !== undefined && typeof v['metadata']['namespace'] !== 'string') {
    out.push({ field: 'metadata.namespace', reason: 'must be a string' });
  }
  return out;
}

interface Collector {
  readonly objects: ParsedObject[];
  readonly problems: SourceProblem[];
  readonly maxObjects: number;
  /** Objects seen so far, including refused ones (a List counts its items). */
  count: number;
}

function collect(value: unknown, origin: SourceOrigin, lookup: FieldLineLookup, out: Collector): void {
  if (nestsDeeperThan(value, MAX_NESTING_DEPTH)) {
    out.problems.push({ origin, reason: TOO_DEEP });
    return;
  }
  const isList = isRecord(value) && value['kind'] === 'List' && Array.isArray(value['items']);
  const items = isList ? (value['items'] as unknown[]) : [value];
  out.count += items.length;
  if (out.count > out.maxObjects) return;
  const document = origin.document ?? 0;
  items.forEach((item, i) => {
    const base = isList ? `items[${i}]` : '';
    const itemOrigin: SourceOrigin = { ...origin, fieldLine: (field) => lookup(document, joinPath(base, field)) };
    const shape = shapeProblems(item);
    if (shape.length > 0) {
      const what = isRecord(item) ? describe(item) : undefined;
      for (const p of shape) out.problems.push({ origin: itemOrigin, ...(what ? { object: what } : {}), field: joinPath(base, p.field), reason: p.reason });
      return;
    }
    out.objects.push({ object: item as MeshObject, origin: itemOrigin });
  });
}

/**
 * `.json` files go through JSON.parse (several times faster than the YAML
 * parser); origins then carry line 1 (field lines are found on demand).
 * Invalid JSON falls back to the YAML parser, which reports the failing line.
 */
function parseJson(text: string, file: string, source: string, out: Collector): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  collect(value, { source, file, line: 1, document: 0 }, createFieldLineLookup(text), out);
  return true;
}

/**
 * Documents are composed one at a time and parsing stops once the file has
 * more objects than allowed: a huge file is refused without building every
 * document first.
 */
function parseYaml(text: string, file: string, source: string, out: Collector): void {
  const lineCounter = new LineCounter();
  const docs = new Composer({ uniqueKeys: true }).compose(new Parser(lineCounter.addNewLine).parse(text));
  const lookup = createFieldLineLookup(text);
  let index = 0;
  for (const doc of docs) {
    parseDocument(doc, index++);
    if (out.count > out.maxObjects) return;
  }

  function parseDocument(doc: Document.Parsed, index: number): void {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineCounter.linePos(start).line;
    const origin: SourceOrigin = { source, file, line, document: index };
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const at = e.pos ? lineCounter.linePos(e.pos[0]).line : line;
        const message = e.message.split('\n')[0] ?? e.message;
        out.problems.push({ origin: { ...origin, line: at }, reason: /call stack/i.test(message) ? TOO_DEEP : `YAML: ${message}` });
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
    } catch (err) {
      out.problems.push({ origin, reason: parserFailure(err) });
      return;
    }
    if (value === null || value === undefined) return; // an empty document ("---" at the end)
    collect(value, origin, lookup, out);
  }
}

export function parseManifests(text: string, file: string, options: ParseOptions = {}): ParseResult {
  const source = options.source ?? 'file';
  const maxObjects = options.limits?.maxObjectsPerFile ?? DEFAULT_FILE_LIMITS.maxObjectsPerFile;
  const out: Collector = { objects: [], problems: [], maxObjects, count: 0 };
  try {
    if (!(/\.json$/i.test(file) && parseJson(text, file, source, out))) parseYaml(text, file, source, out);
  } catch (err) {
    return { objects: [], problems: [{ origin: { source, file, line: 1 }, reason: parserFailure(err) }] };
  }
  if (out.count > maxObjects) {
    return { objects: [], problems: [{ origin: { source, file }, reason: `more than ${maxObjects} objects in one file (--file-max-objects); file refused` }] };
  }
  return { objects: out.objects, problems: out.problems };
}
