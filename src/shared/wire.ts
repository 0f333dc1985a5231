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

/** Encodes google.protobuf.Any { type_url = 1; value = 2; }. */
export function encodeAny(typeUrl: string, value: Uint8Array): Uint8Array {
  return concatBytes([stringField(1, typeUrl), value.length ? lengthDelimited(2, value) : new Uint8Array(0)]);
}
