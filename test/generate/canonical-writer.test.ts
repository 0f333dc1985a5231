/**
 * The generator's canonical writer must give exactly the bytes of
 * shared/canonical-json.ts (versions of configs written before it existed
 * must not change), and splice RawJson fragments verbatim.
 */
import t from 'tap';
import { RawJson, rawJson, writeCanonical } from '../../src/generate/canonical-writer.js';
import { canonicalJson } from '../../src/shared/canonical-json.js';

t.test('same bytes as canonicalJson', (t) => {
  const values: unknown[] = [
    null, true, false, 0, -0, 1.5, 1e21, Number.NaN, Number.POSITIVE_INFINITY, '', 'a"b\\c\u0000\u2028é',
    [], {}, [1, undefined, () => 1, 'x', null],
    { b: 1, a: 2, C: 3, _: 4, 'é': 5, '': 6 },
    // Array-index keys come first in numeric order, whatever the insertion order; then the rest sorted.
    { '14001': 'x', '3306': 'y', '80': 'z', 'http': 1, '007': 2, '4294967295': 3, '-1': 4, '1.5': 5 },
    { skip: undefined, fn: () => 1, keep: 0, nested: { z: [{ b: 2, a: 1 }], a: { '10': 1, '9': 2 } } },
  ];
  values.forEach((v, i) => t.equal(writeCanonical(v), canonicalJson(v), `value ${i}`));
  t.end();
});

t.test('RawJson fragments are spliced verbatim and equal their inline form', (t) => {
  const inner = { Endpoints: { '10.0.0.1:80': { Weight: 100 } }, RetryPolicy: { RetryOn: '5xx', NumRetries: 3 } };
  const frag = rawJson(inner);
  t.ok(frag instanceof RawJson);
  t.equal(frag.json, canonicalJson(inner));
  const withRaw = writeCanonical({ b: frag, a: [frag, null] });
  t.equal(withRaw, canonicalJson({ b: inner, a: [inner, null] }));
  t.equal(writeCanonical({ x: new RawJson('"as is"') }), '{"x":"as is"}');
  t.end();
});
