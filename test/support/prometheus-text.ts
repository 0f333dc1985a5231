/**
 * A strict reader of Prometheus' text exposition format 0.0.4, for tests: it
 * throws on anything Prometheus would refuse or that the format forbids —
 * a malformed line, a sample before its family's `# TYPE`, a family declared
 * twice, a sample name that does not belong to its family, a histogram whose
 * buckets do not ascend and accumulate, or whose `+Inf` bucket is not its count.
 */

export interface Sample {
  /** The sample's own name (`x_bucket`, `x_sum`, …). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"\s*(,|$)/y;

function parseValue(s: string, line: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`bad value in "${line}"`);
  return Number(s);
}

function parseLabels(text: string, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m) throw new Error(`bad labels in "${line}"`);
    const name = m[1] as string;
    if (name in out) throw new Error(`label ${name} twice in "${line}"`);
    out[name] = (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    if (m[3] === '') break;
  }
  return out;
}

const SUFFIXES: Record<MetricFamily['type'], readonly string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const help = new Map<string, string>();
  let current: MetricFamily | undefined;
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
      if (!m) {
        if (/^# (HELP|TYPE)/.test(line)) throw new Error(`bad comment "${line}"`);
        continue;
      }
      const [, what, name, rest] = m as unknown as [string, string, string, string];
      if (what === 'HELP') {
        if (help.has(name)) throw new Error(`HELP for ${name} twice`);
        help.set(name, rest.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
        continue;
      }
      if (families.has(name)) throw new Error(`TYPE for ${name} twice`);
      if (!(rest in SUFFIXES)) throw new Error(`unknown type "${rest}" for ${name}`);
      current = { name, type: rest as MetricFamily['type'], help: help.get(name) ?? '', samples: [] };
      families.set(name, current);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`bad sample line "${line}"`);
    const name = m[1] as string;
    if (!current || !SUFFIXES[current.type].some((s) => name === current!.name + s)) throw new Error(`sample ${name} outside its family's block`);
    current.samples.push({ name, labels: parseLabels(m[2] ?? '', line), value: parseValue(m[3] as string, line) });
  }
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: MetricFamily): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number }>();
  const keyOf = (labels: Readonly<Record<string, string>>) =>
    JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort(([a], [b]) => a.localeCompare(b)));
  for (const s of f.samples) {
    const entry = series.get(keyOf(s.labels)) ?? { buckets: [] };
    series.set(keyOf(s.labels), entry);
    if (s.name.endsWith('_bucket')) {
      if (s.labels['le'] === undefined) throw new Error(`${s.name} without le`);
      entry.buckets.push([parseValue(s.labels['le'], s.name), s.value]);
    } else if (s.name.endsWith('_count')) entry.count = s.value;
  }
  for (const [key, { buckets, count }] of series) {
    for (let i = 1; i < buckets.length; i++) {
      const [le, n] = buckets[i] as [number, number];
      const [prevLe, prevN] = buckets[i - 1] as [number, number];
      if (!(le > prevLe) || n < prevN) throw new Error(`${f.name}${key}: buckets must ascend and accumulate`);
    }
    const last = buckets.at(-1);
    if (!last || last[0] !== Infinity || last[1] !== count) throw new Error(`${f.name}${key}: the +Inf bucket must equal the count`);
  }
}

/** The value of the sample `name` whose labels include `labels`, summed over the matching series; undefined when none matches. */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== name || !Object.entries(labels).every(([k, v]) => s.labels[k] === v)) continue;
      sum = (sum ?? 0) + s.value;
    }
  }
  return sum;
}
