/**
 * Canonical JSON: object keys sorted (code-point order), no whitespace,
 * `undefined` members dropped. Arrays keep their order, so producers must
 * sort arrays whose order carries no meaning before serialising. Two equal
 * values always give the same bytes, which is what content-hash versions need.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** Like canonicalJson but indented, for humans (debug output, `config` CLI). */
export function canonicalJsonPretty(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort()) {
      const v = obj[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}
