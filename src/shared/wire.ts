/**
 * Minimal protobuf wire-format writers. Used to assemble envelopes
 * (google.protobuf.Any, DiscoveryResponse) around bytes that were encoded
 * once, without re-encoding the payload. Pure: no I/O, no protobuf library.
 */

const encoder = new TextEncoder();

/** Bytes of a base-128 varint. */
export function varint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** A length-delimited field (wire type 2): tag, length, payload. */
export function lengthDelimited(fieldNumber: number, payload: Uint8Array): Uint8Array {
  const tag = varint((fieldNumber << 3) | 2);
  const len = varint(payload.length);
  const out = new Uint8Array(tag.length + len.length + payload.length);
  out.set(tag, 0);
  out.set(len, tag.length);
  out.set(payload, tag.length + len.length);
  return out;
}

/** A string field (wire type 2, UTF-8); empty strings are omitted as proto3 does. */
export function stringField(fieldNumber: number, value: string): Uint8Array {
  if (value === '') return new Uint8Array(0);
  return lengthDelimited(fieldNumber, encoder.encode(value));
}

/** Concatenates byte arrays into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A length-delimited field of `encodeFields`: its number and its string (UTF-8) or bytes value. */
export type LengthDelimitedField = readonly [fieldNumber: number, value: string | Uint8Array];

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v > 0x7f; v = Math.floor(v / 0x80)) size++;
  return size;
}

function writeVarint(out: Uint8Array, offset: number, value: number): number {
  let off = offset;
  let v = value;
  while (v > 0x7f) {
    out[off++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[off++] = v;
  return off;
}

/**
 * A message made of length-delimited fields, written into one allocation
 * (payloads are copied once: building large messages from nested
 * `lengthDelimited`/`concatBytes` calls copies them at every level; strings
 * are encoded straight into the message, with no intermediate bytes). Empty
 * values are omitted, as proto3 does.
 */
export function encodeFields(fields: readonly LengthDelimitedField[]): Uint8Array {
  const lengths: number[] = [];
  let size = 0;
  for (const [field, value] of fields) {
    const length = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
    lengths.push(length);
    if (length) size += varintSize((field << 3) | 2) + varintSize(length) + length;
  }
  const out = new Uint8Array(size);
  let off = 0;
  fields.forEach(([field, value], i) => {
    const length = lengths[i] as number;
    if (!length) return;
    off = writeVarint(out, off, (field << 3) | 2);
    off = writeVarint(out, off, length);
    if (typeof value === 'string') encoder.encodeInto(value, out.subarray(off, off + length));
    else out.set(value, off);
    off += length;
  });
  return out;
}

/** Encodes google.protobuf.Any { type_url = 1; value = 2; }. */
export function encodeAny(typeUrl: string, value: Uint8Array): Uint8Array {
  return encodeFields([
    [1, typeUrl],
    [2, value],
  ]);
}
