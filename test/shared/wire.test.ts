import protobuf from 'protobufjs';
import t from 'tap';
import { encodeAny, encodeFields, lengthDelimited, stringField, varint } from '../../src/shared/wire.js';

/** Reads every field of a message with protobufjs's generic reader: [field number, wire type, bytes]. */
function readFields(bytes: Uint8Array): [number, number, Uint8Array][] {
  const reader = protobuf.Reader.create(bytes);
  const out: [number, number, Uint8Array][] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    out.push([tag >>> 3, tag & 7, reader.bytes()]);
  }
  return out;
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

t.test('encodeFields writes length-delimited fields in order, strings as UTF-8, and omits empty values', async (t) => {
  const payload = new Uint8Array(20_000).map((_, i) => i % 251);
  const bytes = encodeFields([
    [1, 'name'],
    [2, ''],
    [3, payload],
    [20, 'grüße ✓'],
    [4, new Uint8Array(0)],
  ]);
  const fields = readFields(bytes);
  t.same(
    fields.map(([n, w]) => [n, w]),
    [
      [1, 2],
      [3, 2],
      [20, 2],
    ],
    'fields 1, 3 and 20 as wire type 2; the empty ones are absent',
  );
  t.equal(text(fields[0]![2]), 'name');
  t.same(Buffer.from(fields[1]![2]), Buffer.from(payload), 'a payload needing a three-byte length survives');
  t.equal(text(fields[2]![2]), 'grüße ✓', 'a field number needing a two-byte tag and multi-byte characters survive');
  t.equal(encodeFields([]).length, 0, 'no fields, no bytes');
  const tail = '{"name":"café ✓ \ud83d\ude00"}';
  const withTail = encodeFields([[1, 'x'], [3, tail]]);
  t.equal(text(withTail.subarray(withTail.length - Buffer.byteLength(tail, 'utf8'))), tail, "a last string field is the message's last Buffer.byteLength bytes (the sidecar generator serves that view as /config.json)");
});

t.test('encodeFields gives the same bytes as nesting the single-field writers', async (t) => {
  const value = new Uint8Array(300).fill(7);
  const nested = Buffer.concat([stringField(1, 'type.googleapis.com/x.Y'), lengthDelimited(2, value), stringField(5, 'n')]);
  t.same(Buffer.from(encodeFields([[1, 'type.googleapis.com/x.Y'], [2, value], [5, 'n']])), nested);
  t.same(Buffer.from(varint(300)), Buffer.from([0xac, 0x02]), 'varint agrees with the protobuf encoding of 300');
});

t.test('encodeAny decodes as google.protobuf.Any', async (t) => {
  const root = protobuf.Root.fromJSON(protobuf.common.get('google/protobuf/any.proto') as protobuf.INamespace);
  const Any = root.lookupType('google.protobuf.Any');
  const value = new Uint8Array([1, 2, 3, 200]);
  const decoded = Any.toObject(Any.decode(encodeAny('type.googleapis.com/fsm.pipy.v1.SidecarConfig', value)), { bytes: Array }) as { type_url: string; value: number[] };
  t.equal(decoded.type_url, 'type.googleapis.com/fsm.pipy.v1.SidecarConfig');
  t.same(decoded.value, [1, 2, 3, 200]);
  const empty = Any.toObject(Any.decode(encodeAny('type.googleapis.com/x.Empty', new Uint8Array(0)))) as { value?: unknown };
  t.equal(empty.value, undefined, 'an empty value is omitted, as proto3 does');
});
