import t from 'tap';
import { s } from '../../../src/model/schema/dsl.js';
import { validateValue, type FieldError } from '../../../src/model/schema/validate.js';
import { isCIDR, isIP } from '../../../src/model/schema/ip.js';

const check = (schema: Parameters<typeof validateValue>[0], v: unknown) => {
  const out: FieldError[] = [];
  validateValue(schema, v, 'spec.x', out);
  return out.map((e) => `${e.field}: ${e.reason}`);
};

t.test('type errors use the API server wording', async (t) => {
  t.same(check(s.bool(), 'no'), ['spec.x: Invalid value: "string": spec.x in body must be of type boolean: "string"']);
  t.same(check(s.int(), 1.5), ['spec.x: Invalid value: "number": spec.x in body must be of type integer: "number"']);
  t.same(check(s.string(), 3), ['spec.x: Invalid value: "integer": spec.x in body must be of type string: "integer"']);
  t.same(check(s.array(s.string()), {}), ['spec.x: Invalid value: "object": spec.x in body must be of type array: "object"']);
});

t.test('collects every error with its path', async (t) => {
  const schema = s.object({ a: s.int({ minimum: 1 }), b: s.array(s.enum(['x', 'y'])), c: s.map(s.bool()) }, { required: ['a', 'd'] });
  t.same(check(schema, { a: 0, b: ['x', 'z'], c: { k: 1 } }), [
    'spec.x.d: Required value',
    'spec.x.a: Invalid value: 0: spec.x.a in body should be greater than or equal to 1',
    'spec.x.b[1]: Unsupported value: "z": supported values: "x", "y"',
    'spec.x.c[k]: Invalid value: "integer": spec.x.c[k] in body must be of type boolean: "integer"',
  ]);
  t.same(check(s.any({ intOrString: true }), 'http'), []);
  t.same(check(s.any({ intOrString: true }), true), ['spec.x: Invalid value: "boolean": spec.x in body must be of type int-or-string: "boolean"']);
});

t.test('IP and CIDR syntax', async (t) => {
  for (const ok of ['10.0.0.0/8', '0.0.0.0/0', '192.0.2.1/32', 'fd00::/8', '::/0', '2001:db8::1/128', '::ffff:10.0.0.1/128']) t.ok(isCIDR(ok), ok);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0/8', '256.0.0.0/8', '01.0.0.0/8', 'fd00::/129', 'fd00:::1/64', '10.0.0.0/08', 'x/8']) t.notOk(isCIDR(bad), bad);
  t.ok(isIP('10.1.2.3'));
  t.ok(isIP('fe80::1'));
  t.notOk(isIP('1:2:3:4:5:6:7:8:9'));
});
