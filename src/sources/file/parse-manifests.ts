/**
 * Parses a manifest file (multi-document YAML, or JSON) into objects with
 * their `file:line` origin. A document that does not parse, or is not a
 * Kubernetes-shaped object, becomes a problem; the other documents load.
 * `kind: List` documents are expanded into their items.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import type { MeshObject } from '../../model/types.js';
import type { SourceOrigin, SourceProblem } from '../../model/source-events.js';

export interface ParsedObject {
  readonly object: MeshObject;
  readonly origin: SourceOrigin;
}

export interface ParseResult {
  readonly objects: ParsedObject[];
  readonly problems: SourceProblem[];
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

/**
 * `.json` files go through JSON.parse (several times faster than the YAML
 * parser); origins then carry line 1 (the line of each `List` item is
 * not tracked). Invalid JSON falls back to the YAML parser,
 * which reports the failing line.
 */
function parseJson(text: string, file: string, source: string): ParseResult | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const objects: ParsedObject[] = [];
  const problems: SourceProblem[] = [];
  collect(value, { source, file, line: 1, document: 0 }, objects, problems);
  return { objects, problems };
}

function collect(value: unknown, origin: SourceOrigin, objects: ParsedObject[], problems: SourceProblem[]): void {
  const items = isRecord(value) && value['kind'] === 'List' && Array.isArray(value['items']) ? (value['items'] as unknown[]) : [value];
  items.forEach((item, i) => {
    const shape = shapeProblems(item);
    if (shape.length > 0) {
      const what = isRecord(item) ? describe(item) : undefined;
      for (const p of shape) {
        problems.push({ origin, ...(what ? { object: what } : {}), field: items.length > 1 ? `items[${i}].${p.field}` : p.field, reason: p.reason });
      }
      return;
    }
    objects.push({ object: item as MeshObject, origin });
  });
}

export function parseManifests(text: string, file: string, source = 'file'): ParseResult {
  if (/\.json$/i.test(file)) {
    const json = parseJson(text, file, source);
    if (json) return json;
  }
  const objects: ParsedObject[] = [];
  const problems: SourceProblem[] = [];
  const lineCounter = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    problems.push({ origin: { source, file, line: 1 }, reason: err instanceof Error ? err.message : String(err) });
    return { objects, problems };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineCounter.linePos(start).line;
    const origin: SourceOrigin = { source, file, line, document: index };
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const at = e.pos ? lineCounter.linePos(e.pos[0]).line : line;
        problems.push({ origin: { ...origin, line: at }, reason: `YAML: ${e.message.split('\n')[0] ?? e.message}` });
      }
      return;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return; // an empty document ("---" at the end)
    collect(value, origin, objects, problems);
  });
  return { objects, problems };
}
