/**
 * A Prometheus registry: counters, gauges and histograms with fixed label
 * names, exposed in the text format 0.0.4 as Prometheus' Go client writes it
 * (counters keep the name they are given: no `_total` is appended, which is
 * how FSM's `fsm_…_count` names look on the wire).
 *
 * Why not an SDK: a series must be removable (a proxy's series go when the
 * proxy goes, or per-proxy labels grow without bound), and the OpenTelemetry
 * SDK keeps every attribute set it has seen for the life of the process.
 *
 * Recording never throws: a negative or non-finite counter increment and a
 * non-finite observation are ignored. A family without labels has its one
 * series from creation (at 0); a labelled family has a series per label set
 * it was given, `remove` drops series. Missing label values are "".
 */

export type LabelValues<L extends string> = { readonly [K in L]?: string };

/** What every family can do with its series. */
interface Series<L extends string> {
  /** Creates the series of `labels` at 0 if it does not exist (so `rate()` sees its first increase). */
  init(labels: LabelValues<L>): void;
  /** Removes every series whose labels include all of `match`. */
  remove(match: LabelValues<L>): void;
}

export interface Counter<L extends string = never> extends Series<L> {
  /** Adds `value` (≥ 0) to the series of `labels`. */
  add(value: number, labels?: LabelValues<L>): void;
}

export interface Gauge<L extends string = never> extends Series<L> {
  set(value: number, labels?: LabelValues<L>): void;
  add(value: number, labels?: LabelValues<L>): void;
}

export interface Histogram<L extends string = never> extends Series<L> {
  /** Records one observation. */
  record(value: number, labels?: LabelValues<L>): void;
}

/** One series of a gauge read at scrape time. */
export type GaugeReading<L extends string> = readonly [labels: LabelValues<L>, value: number];

export interface Registry {
  counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  /** A gauge whose series are whatever `read` returns at each scrape (nothing: the family is absent). */
  gaugeReader<L extends string = never>(name: string, help: string, labelNames: readonly L[], read: () => Iterable<GaugeReading<L>>): void;
  /** A counter read at scrape time from a cumulative source (CPU seconds). */
  counterReader(name: string, help: string, read: () => number | undefined): void;
  /** `buckets`: upper bounds, ascending; `+Inf` is implied. */
  histogram<L extends string = never>(name: string, help: string, buckets: readonly number[], labelNames?: readonly L[]): Histogram<L>;
  /** Every family in the text format 0.0.4, in registration order. */
  expose(): string;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function labelText(names: readonly string[], values: readonly string[], extra?: string): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Family {
  write(out: string[]): void;
}

/** Series of one family, keyed by their label values. */
class SeriesMap<L extends string, S> {
  readonly series = new Map<string, { values: string[]; state: S }>();
  constructor(
    readonly labelNames: readonly L[],
    private readonly init: () => S,
  ) {
    if (labelNames.length === 0) this.get(undefined);
  }
  get(labels: LabelValues<L> | undefined): S {
    const values = this.labelNames.map((n) => labels?.[n] ?? '');
    const key = values.join('\u0001');
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { values, state: this.init() }));
    return s.state;
  }
  remove(match: LabelValues<L>): void {
    const pairs = Object.entries(match).flatMap(([k, v]) => {
      const i = this.labelNames.indexOf(k as L);
      return i < 0 || v === undefined ? [] : [[i, v] as const];
    });
    for (const [key, s] of this.series) if (pairs.every(([i, v]) => s.values[i] === v)) this.series.delete(key);
  }
}

export function createRegistry(): Registry {
  const families: Family[] = [];
  const names = new Set<string>();

  const register = (name: string, labelNames: readonly string[], f: Family) => {
    if (!NAME.test(name)) throw new Error(`invalid metric name "${name}"`);
    for (const l of labelNames) if (!LABEL.test(l) || l.startsWith('__')) throw new Error(`${name}: invalid label name "${l}"`);
    if (names.has(name)) throw new Error(`metric ${name} registered twice`);
    names.add(name);
    families.push(f);
  };
  const header = (out: string[], name: string, help: string, type: string) => out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  /** A registered family of one number per series (counters, gauges): its series, written as `name{labels} value`. */
  const valueFamily = <L extends string>(name: string, help: string, type: 'counter' | 'gauge', labelNames: readonly L[]) => {
    const m = new SeriesMap<L, { v: number }>(labelNames, () => ({ v: 0 }));
    register(name, labelNames, {
      write(out) {
        if (!m.series.size) return;
        header(out, name, help, type);
        for (const s of m.series.values()) out.push(`${name}${labelText(labelNames, s.values)} ${formatValue(s.state.v)}`);
      },
    });
    return m;
  };

  return {
    counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
      const m = valueFamily(name, help, 'counter', labelNames);
      return {
        add(value, labels) {
          if (!(value >= 0) || value === Infinity) return;
          m.get(labels).v += value;
        },
        init: (labels) => void m.get(labels),
        remove: (match) => m.remove(match),
      };
    },

    gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
      const m = valueFamily(name, help, 'gauge', labelNames);
      return {
        set(value, labels) {
          m.get(labels).v = value;
        },
        add(value, labels) {
          m.get(labels).v += value;
        },
        init: (labels) => void m.get(labels),
        remove: (match) => m.remove(match),
      };
    },

    gaugeReader<L extends string = never>(name: string, help: string, labelNames: readonly L[], read: () => Iterable<GaugeReading<L>>): void {
      register(name, labelNames, {
        write(out) {
          const lines: string[] = [];
          for (const [labels, value] of read()) lines.push(`${name}${labelText(labelNames, labelNames.map((n) => labels[n] ?? ''))} ${formatValue(value)}`);
          if (!lines.length) return;
          header(out, name, help, 'gauge');
          out.push(...lines);
        },
      });
    },

    counterReader(name, help, read) {
      register(name, [], {
        write(out) {
          const v = read();
          if (v === undefined) return;
          header(out, name, help, 'counter');
          out.push(`${name} ${formatValue(v)}`);
        },
      });
    },

    histogram<L extends string = never>(name: string, help: string, buckets: readonly number[], labelNames: readonly L[] = []): Histogram<L> {
      const bounds = [...buckets];
      for (let i = 1; i < bounds.length; i++) if (!((bounds[i] as number) > (bounds[i - 1] as number))) throw new Error(`${name}: buckets must ascend`);
      if (labelNames.includes('le' as L)) throw new Error(`${name}: "le" is reserved for buckets`);
      const m = new SeriesMap<L, { counts: number[]; sum: number; count: number }>(labelNames, () => ({ counts: bounds.map(() => 0), sum: 0, count: 0 }));
      register(name, labelNames, {
        write(out) {
          if (!m.series.size) return;
          header(out, name, help, 'histogram');
          for (const s of m.series.values()) {
            let cumulative = 0;
            bounds.forEach((b, i) => {
              cumulative += s.state.counts[i] as number;
              out.push(`${name}_bucket${labelText(labelNames, s.values, `le="${formatValue(b)}"`)} ${cumulative}`);
            });
            out.push(`${name}_bucket${labelText(labelNames, s.values, 'le="+Inf"')} ${s.state.count}`);
            out.push(`${name}_sum${labelText(labelNames, s.values)} ${formatValue(s.state.sum)}`);
            out.push(`${name}_count${labelText(labelNames, s.values)} ${s.state.count}`);
          }
        },
      });
      return {
        record(value, labels) {
          if (!Number.isFinite(value)) return;
          const s = m.get(labels);
          const i = bounds.findIndex((b) => value <= b);
          if (i >= 0) s.counts[i] = (s.counts[i] as number) + 1;
          s.sum += value;
          s.count++;
        },
        init: (labels) => void m.get(labels),
        remove: (match) => m.remove(match),
      };
    },

    expose() {
      const out: string[] = [];
      for (const f of families) f.write(out);
      return out.length ? out.join('\n') + '\n' : '';
    },
  };
}
