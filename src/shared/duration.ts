/**
 * Go `time.ParseDuration` syntax, as FSM's CRDs and MeshConfig use it
 * (`24h`, `1h30m`, `1.5h`, `300ms`, `-2s`, `0`). Shared by MeshConfig,
 * certificates and the Retry policy, so every module agrees on one grammar.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;

/** Parses a Go duration into milliseconds (fractional below 1 ms). Throws a RangeError naming the input when it is not one. */
export function parseGoDuration(text: string): number {
  const ms = tryParseGoDuration(text);
  if (ms === undefined) throw new RangeError(`invalid duration "${text}"`);
  return ms;
}

/** Like parseGoDuration but returns undefined instead of throwing. */
export function tryParseGoDuration(text: string): number | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  let rest = text;
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  // Go accepts a bare "0" (and only that) without a unit.
  if (rest === '0') return 0;
  if (rest.length === 0) return undefined;
  let total = 0;
  while (rest.length > 0) {
    const m = PART.exec(rest);
    if (!m) return undefined;
    const num = m[1] ?? '';
    const unit = m[2] ?? '';
    // "." alone or an empty number is not a number in Go's grammar either.
    if (num === '' || num === '.') return undefined;
    const factor = UNIT_MS[unit];
    if (factor === undefined) return undefined;
    total += Number(num) * factor;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** Formats milliseconds the way Go's Duration.String() does for whole units (`1h30m0s`, `1.5s`, `0s`). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  if (rest < 1000) return `${neg ? '-' : ''}${trimFloat(rest)}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  let out = '';
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  out += `${trimFloat(s)}s`;
  return (neg ? '-' : '') + out;
}

function trimFloat(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}
