/**
 * A renderer for the subset of Helm's template language (Go text/template
 * plus Sprig) that charts/fsm-controller uses, so the chart can be rendered
 * and checked in tests without the helm binary: actions `{{ }}` with `{{-`
 * `-}}` trimming and comments; `define`/`include`; `if`/`else if`/`else`,
 * `with`, `end`; pipelines; `.Values`, `.Release`, `.Chart`, `.` and `$`;
 * `.Files.Get NAME`, `.Files.Glob PATTERN` and its `.AsConfig` (method calls,
 * and a field of a parenthesised pipeline); string/number/bool literals; and
 * the functions `include`, `toYaml`, `nindent`, `indent`, `quote`, `default`,
 * `printf` (%s %d), `trunc`, `trimSuffix`, `eq`, `ne`, `gt`, `not`, `and`,
 * `or`. Anything else throws, naming it, so the chart cannot drift beyond
 * what this renderer checks. Test code only.
 */
import { stringify } from 'yaml';

type Value = unknown;
type Node =
  | { t: 'text'; text: string }
  | { t: 'out'; expr: string }
  | { t: 'if'; branches: { cond: string | undefined; body: Node[] }[] }
  | { t: 'with'; expr: string; body: Node[]; otherwise: Node[] };

interface Token {
  kind: 'text' | 'action';
  text: string;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open === -1) {
      tokens.push({ kind: 'text', text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    const close = src.indexOf('}}', open);
    if (close === -1) throw new Error(`unterminated action at ${open}`);
    let action = src.slice(open + 2, close);
    if (action.startsWith('-')) {
      text = text.replace(/\s+$/, '');
      action = action.slice(1);
    }
    let next = close + 2;
    if (action.endsWith('-')) {
      action = action.slice(0, -1);
      const m = /^\s*/.exec(src.slice(next));
      next += m?.[0].length ?? 0;
    }
    tokens.push({ kind: 'text', text });
    tokens.push({ kind: 'action', text: action.trim() });
    i = next;
  }
  return tokens.filter((t) => !(t.kind === 'text' && t.text === ''));
}

/** Parses tokens into nodes; `define` blocks go to `defines`. */
function parse(tokens: Token[], defines: Map<string, Node[]>): Node[] {
  let pos = 0;
  const block = (terminators: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const tok = tokens[pos++] as Token;
      if (tok.kind === 'text') {
        nodes.push({ t: 'text', text: tok.text });
        continue;
      }
      const a = tok.text;
      if (a.startsWith('/*')) continue;
      const word = a.split(/\s+/)[0] ?? '';
      if (terminators.includes(word) || terminators.includes(a)) return { nodes, end: a };
      if (word === 'if') {
        const branches: { cond: string | undefined; body: Node[] }[] = [];
        let cond: string | undefined = a.slice(2).trim();
        for (;;) {
          const { nodes: body, end } = block(['else', 'end']);
          branches.push({ cond, body });
          if (end === 'end') break;
          cond = end.startsWith('else if') ? end.slice(7).trim() : undefined;
        }
        nodes.push({ t: 'if', branches });
      } else if (word === 'with') {
        const { nodes: body, end } = block(['else', 'end']);
        const otherwise = end === 'else' ? block(['end']).nodes : [];
        nodes.push({ t: 'with', expr: a.slice(4).trim(), body, otherwise });
      } else if (word === 'define') {
        const name = JSON.parse(a.slice(6).trim()) as string;
        defines.set(name, block(['end']).nodes);
      } else if (['range', 'template', 'block', 'tpl'].includes(word)) {
        throw new Error(`unsupported action "${a}"`);
      } else {
        nodes.push({ t: 'out', expr: a });
      }
    }
    if (terminators.length > 0) throw new Error(`missing {{ ${terminators.join(' or ')} }}`);
    return { nodes, end: '' };
  };
  return block([]).nodes;
}

/** Splits on spaces outside quotes and parentheses. */
function words(expr: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quote = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] as string;
    if (quote) {
      cur += c;
      if (c === '\\') cur += expr[++i] ?? '';
      else if (c === '"') quote = false;
    } else if (c === '"') {
      quote = true;
      cur += c;
    } else if (c === '(') {
      depth++;
      cur += c;
    } else if (c === ')') {
      depth--;
      cur += c;
    } else if (/\s/.test(c) && depth === 0) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

/** The index of the parenthesis closing the one `w` starts with (quotes respected). */
function matchingParen(w: string): number {
  let depth = 0;
  let quote = false;
  for (let i = 0; i < w.length; i++) {
    const c = w[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"') quote = false;
    } else if (c === '"') quote = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses in "${w}"`);
}

function splitPipeline(expr: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let depth = 0;
  let quote = false;
  for (const c of expr) {
    if (c === '"') quote = !quote;
    if (!quote && c === '(') depth++;
    if (!quote && c === ')') depth--;
    if (!quote && depth === 0 && c === '|') {
      parts.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  parts.push(cur.trim());
  return parts;
}

export function truthy(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

const indentLines = (n: number, s: string) =>
  s
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

function toYaml(v: Value): string {
  if (v === undefined || v === null) return '';
  return stringify(v, { lineWidth: 0 }).replace(/\n$/, '');
}

export interface RenderContext {
  readonly Values: Record<string, unknown>;
  readonly Release: { Name: string; Namespace: string };
  readonly Chart: { Name: string; AppVersion: string; Version: string };
  /** The chart's files outside templates/, by path relative to the chart (`.Files`). */
  readonly Files?: ReadonlyMap<string, string>;
}

/** Helm's `.Files`: `Get`, and `Glob` (`*` and `?` within a path segment, `**` across) with `AsConfig`. */
function filesObject(files: ReadonlyMap<string, string>) {
  return {
    Get: (name: unknown) => files.get(String(name)) ?? '',
    Glob: (pattern: unknown) => {
      const re = new RegExp(
        '^' +
          String(pattern)
            .split(/(\*\*|\*|\?)/)
            .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
            .join('') +
          '$',
      );
      const matched = [...files].filter(([name]) => re.test(name)).sort(([a], [b]) => a.localeCompare(b));
      // AsConfig: a ConfigMap's data, keyed by base name (Helm's Files.AsConfig).
      return { AsConfig: () => toYaml(Object.fromEntries(matched.map(([name, text]) => [name.slice(name.lastIndexOf('/') + 1), text]))) };
    },
  };
}

export function createRenderer(defines: Map<string, Node[]>, context: RenderContext) {
  const root = { ...context, Files: filesObject(context.Files ?? new Map()) };
  const evalNodes = (nodes: Node[], dot: Value): string => nodes.map((n) => evalNode(n, dot)).join('');

  function evalNode(n: Node, dot: Value): string {
    switch (n.t) {
      case 'text':
        return n.text;
      case 'out': {
        const v = pipeline(n.expr, dot);
        return v === undefined || v === null ? '' : String(v);
      }
      case 'if': {
        for (const b of n.branches) if (b.cond === undefined || truthy(pipeline(b.cond, dot))) return evalNodes(b.body, dot);
        return '';
      }
      case 'with': {
        const v = pipeline(n.expr, dot);
        return truthy(v) ? evalNodes(n.body, v) : evalNodes(n.otherwise, dot);
      }
    }
  }

  function pipeline(expr: string, dot: Value): Value {
    let value: Value;
    splitPipeline(expr).forEach((stage, i) => {
      value = command(words(stage), dot, i === 0 ? [] : [value]);
    });
    return value;
  }

  /** An operand's value; a method reached as a field (`.AsConfig`) is called, as Go templates do. */
  function operand(w: string, dot: Value): Value {
    const v = reference(w, dot);
    return typeof v === 'function' ? (v as () => Value)() : v;
  }

  /** An operand without calling what it names, so a command can call a method with arguments (`.Files.Get "x"`). */
  function reference(w: string, dot: Value): Value {
    if (w.startsWith('(')) {
      const close = matchingParen(w);
      const inner = pipeline(w.slice(1, close), dot);
      if (close === w.length - 1) return inner;
      if (w[close + 1] !== '.') throw new Error(`unsupported operand "${w}"`);
      return path(inner, w.slice(close + 2));
    }
    if (w.startsWith('"')) return JSON.parse(w) as string;
    if (/^-?\d+$/.test(w)) return Number(w);
    if (w === 'true' || w === 'false') return w === 'true';
    if (w === '.') return dot;
    if (w === '$') return root;
    if (w.startsWith('$.')) return path(root, w.slice(2));
    if (w.startsWith('.')) return path(dot, w.slice(1));
    throw new Error(`unsupported operand "${w}"`);
  }

  /** Follows `a.b.c`; a method met before the last segment is called without arguments. */
  function path(from: Value, p: string): Value {
    let v: Value = from;
    for (const key of p.split('.')) {
      if (typeof v === 'function') v = (v as () => Value)();
      v = v === undefined || v === null ? undefined : (v as Record<string, unknown>)[key];
    }
    return v;
  }

  function command(ws: string[], dot: Value, piped: Value[]): Value {
    const [head, ...rest] = ws;
    if (head === undefined) throw new Error('empty command');
    const isFn = /^[a-zA-Z]/.test(head) && !['true', 'false'].includes(head);
    const args = () => [...rest.map((w) => operand(w, dot)), ...piped];
    if (!isFn) {
      const v = reference(head, dot);
      if (typeof v === 'function') return (v as (...a: Value[]) => Value)(...args());
      if (rest.length || piped.length) throw new Error(`"${ws.join(' ')}" is not a function call`);
      return v;
    }
    return call(head, args());
  }

  function call(head: string, args: Value[]): Value {
    const str = (v: Value) => (v === undefined || v === null ? '' : String(v));
    switch (head) {
      case 'include': {
        const body = defines.get(str(args[0]));
        if (!body) throw new Error(`include: no template "${str(args[0])}"`);
        return evalNodes(body, args[1]);
      }
      case 'toYaml':
        return toYaml(args[0]);
      case 'nindent':
        return '\n' + indentLines(Number(args[0]), str(args[1]));
      case 'indent':
        return indentLines(Number(args[0]), str(args[1]));
      case 'quote':
        return JSON.stringify(str(args[0]));
      case 'default':
        return truthy(args[1]) ? args[1] : args[0];
      case 'printf': {
        let i = 1;
        return str(args[0]).replace(/%[sd]/g, () => str(args[i++]));
      }
      case 'trunc':
        return str(args[1]).slice(0, Number(args[0]));
      case 'trimSuffix': {
        const s = str(args[1]);
        const suffix = str(args[0]);
        return s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
      }
      case 'eq':
        return args[0] === args[1];
      case 'ne':
        return args[0] !== args[1];
      case 'gt':
        return Number(args[0]) > Number(args[1]);
      case 'not':
        return !truthy(args[0]);
      case 'and':
        return args.every(truthy) ? args.at(-1) : args.find((a) => !truthy(a));
      case 'or':
        return args.find(truthy) ?? args.at(-1);
      default:
        throw new Error(`unsupported function "${head}"`);
    }
  }

  return { render: (nodes: Node[]) => evalNodes(nodes, root) };
}

/** Renders every template of a chart (helpers first); returns file name → text. */
export function renderChart(files: ReadonlyMap<string, string>, ctx: RenderContext): Map<string, string> {
  const defines = new Map<string, Node[]>();
  const parsed = new Map<string, Node[]>();
  for (const [name, text] of [...files].sort(([a], [b]) => (a.endsWith('.tpl') ? -1 : b.endsWith('.tpl') ? 1 : a.localeCompare(b)))) {
    parsed.set(name, parse(tokenize(text), defines));
  }
  const r = createRenderer(defines, ctx);
  const out = new Map<string, string>();
  for (const [name, nodes] of parsed) if (!name.endsWith('.tpl')) out.set(name, r.render(nodes));
  return out;
}
