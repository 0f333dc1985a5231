/**
 * Lines of fields in a manifest file, for error messages that point at the
 * offending field rather than at the start of its document. Nothing is
 * computed until an error asks: the file is then parsed once more with node
 * ranges, and the parse is dropped again after the current synchronous work
 * (errors of one batch are raised together), so only the file's text is
 * kept meanwhile.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';

/** The 1-based line of `path` (`items[2].spec.backends[1].weight`) in document `document`, or of its deepest ancestor found. */
export type FieldLineLookup = (document: number, path: string) => number | undefined;

export function createFieldLineLookup(text: string): FieldLineLookup {
  let parsed: { docs: (Node | null)[]; lines: LineCounter } | undefined;
  const load = () => {
    if (parsed) return parsed;
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
    parsed = { docs: (Array.isArray(docs) ? docs : []).map((d) => (d.contents as Node | null) ?? null), lines };
    queueMicrotask(() => (parsed = undefined));
    return parsed;
  };
  return (document, path) => {
    let p;
    try {
      p = load();
    } catch {
      return undefined; // a file that parsed once but not now (too deep for the parser): keep the document's line
    }
    const root = p.docs[document];
    if (!root) return undefined;
    const offset = offsetOf(root, path);
    return offset === undefined ? undefined : p.lines.linePos(offset).line;
  };
}

/**
 * The source offset of `path` below `root`: of the key for a map member (a
 * nested map's value starts a line below its key), of the item for a list
 * element; of the deepest ancestor found when the path does not exist.
 */
function offsetOf(root: Node, path: string): number | undefined {
  let offset = root.range?.[0];
  let current: unknown = root;
  for (const seg of path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []) {
    if (seg.startsWith('[') && isSeq(current)) {
      const item = current.items[Number(seg.slice(1, -1))] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      current = item;
    } else if (isMap(current)) {
      const key = seg.startsWith('[') ? unquote(seg.slice(1, -1)) : seg;
      const pair = current.items.find((i) => isPair(i) && isScalar(i.key) && String(i.key.value) === key);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      current = pair.value;
    } else break;
  }
  return offset;
}

function unquote(s: string): string {
  if (!s.startsWith('"')) return s;
  try {
    return String(JSON.parse(s));
  } catch {
    return s;
  }
}
