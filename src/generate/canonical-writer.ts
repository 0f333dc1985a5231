/**
 * Canonical JSON for the sidecar generator: the same bytes as
 * shared/canonical-json.ts gives for plain JSON data, written in one pass
 * without sorted copies, and accepting pre-serialised fragments. That means
 * what JSON.stringify makes of an object rebuilt in sorted key order:
 * array-index keys ("3306", "14001") first in numeric order (JavaScript
 * enumerates them so whatever the insertion order), then the other keys in
 * code-unit order; `undefined` members dropped; no whitespace.
 *
 * A fragment that many proxies share (an Outbound block, the permissive
 * AllowedEndpoints map) is serialised once into a RawJson and spliced into
 * every proxy's document as is, which is what keeps full generation of a
 * large mesh proportional to its distinct content rather than its size.
 */

/** Canonical JSON text produced by writeCanonical; emitted verbatim when nested in a value. */
export class RawJson {
  constructor(readonly json: string) {}
}

/** Serialises `value` once, for splicing into many documents. */
export function rawJson(value: unknown): RawJson {
  return new RawJson(writeCanonical(value));
}

/** True for what JSON.stringify drops from objects and writes as `null` in arrays. */
function isAbsent(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;
const MAX_INDEX = 2 ** 32 - 2;

/** Object.keys lists array-index keys first, ascending; only the rest need sorting. */
function canonicalKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  let i = 0;
  while (i < keys.length && INDEX_KEY.test(keys[i] as string) && Number(keys[i]) <= MAX_INDEX) i++;
  if (i === 0) return keys.sort();
  if (i === keys.length) return keys;
  return [...keys.slice(0, i), ...keys.slice(i).sort()];
}

function write(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (v instanceof RawJson) return v.json;
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = v[i];
      out += isAbsent(item) ? 'null' : write(item);
    }
    return `${out}]`;
  }
  const obj = v as Record<string, unknown>;
  const keys = canonicalKeys(obj);
  let out = '{';
  let first = true;
  for (const k of keys) {
    const item = obj[k];
    if (isAbsent(item)) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${write(item)}`;
    first = false;
  }
  return `${out}}`;
}

/** Canonical JSON of `value` (a plain JSON value, possibly holding RawJson fragments). */
export function writeCanonical(value: unknown): string {
  return write(value);
}
