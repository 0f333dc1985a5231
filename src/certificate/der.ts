/**
 * A minimal DER writer: just the ASN.1 types an X.509 leaf needs
 * (SEQUENCE, SET, INTEGER, OID, strings, times, BIT/OCTET STRING, context
 * tags). The hot issuance path assembles TBSCertificate bytes with it and
 * signs them with node:crypto directly: @peculiar/x509's generic ASN.1
 * serialiser measured ~500 certs/s on these machines, below the 1,000/s
 * target, while this writer plus a native signature is several times faster.
 * Parsing and CSRs still go through @peculiar/x509.
 */

export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  let n = length;
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>>= 8;
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One tag-length-value; `content` parts are concatenated. */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = content.length === 1 ? Buffer.from(content[0] as Uint8Array) : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export function sequence(...items: Uint8Array[]): Buffer {
  return tlv(Tag.sequence, ...items);
}

export function set(...items: Uint8Array[]): Buffer {
  return tlv(Tag.set, ...items);
}

/** Constructed context-specific tag `[n]` (EXPLICIT wrapping). */
export function explicit(n: number, ...items: Uint8Array[]): Buffer {
  return tlv(0xa0 | n, ...items);
}

/** Primitive context-specific tag `[n]` (IMPLICIT primitive value). */
export function implicitPrimitive(n: number, value: Uint8Array): Buffer {
  return tlv(0x80 | n, value);
}

/** A non-negative INTEGER from big-endian magnitude bytes. */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = Buffer.from(magnitude.subarray(start));
  const needsPad = ((trimmed[0] ?? 0) & 0x80) !== 0;
  return tlv(Tag.integer, needsPad ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export function smallInteger(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new RangeError(`integer out of range: ${value}`);
  const bytes: number[] = [];
  let n = value;
  do {
    bytes.unshift(n & 0xff);
    n >>>= 8;
  } while (n > 0);
  return unsignedInteger(Uint8Array.from(bytes));
}

export function boolean(value: boolean): Buffer {
  return tlv(Tag.boolean, Buffer.from([value ? 0xff : 0x00]));
}

export function nullValue(): Buffer {
  return tlv(Tag.null);
}

const oidCache = new Map<string, Buffer>();

/** OBJECT IDENTIFIER from dotted notation (cached: the set of OIDs is small). */
export function oid(dotted: string): Buffer {
  const hit = oidCache.get(dotted);
  if (hit) return hit;
  const arcs = dotted.split('.').map((a) => Number(a));
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [];
  const first = (arcs[0] as number) * 40 + (arcs[1] as number);
  for (const arc of [first, ...arcs.slice(2)]) {
    const chunk: number[] = [arc & 0x7f];
    let n = Math.floor(arc / 128);
    while (n > 0) {
      chunk.unshift((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(...chunk);
  }
  const encoded = tlv(Tag.oid, Uint8Array.from(out));
  oidCache.set(dotted, encoded);
  return encoded;
}

export function utf8String(value: string): Buffer {
  return tlv(Tag.utf8String, Buffer.from(value, 'utf8'));
}

export function ia5(value: string): Buffer {
  if (!/^[\x00-\x7f]*$/.test(value)) throw new RangeError(`not IA5: ${value}`);
  return Buffer.from(value, 'latin1');
}

export function octetString(value: Uint8Array): Buffer {
  return tlv(Tag.octetString, value);
}

/** BIT STRING with `unusedBits` padding bits in the last byte. */
export function bitString(value: Uint8Array, unusedBits = 0): Buffer {
  return tlv(Tag.bitString, Buffer.from([unusedBits]), value);
}

/**
 * RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, both
 * in whole seconds UTC ("Z"). Sub-second precision is truncated.
 */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(Tag.utcTime, Buffer.from(digits.slice(2), 'latin1'));
  return tlv(Tag.generalizedTime, Buffer.from(digits, 'latin1'));
}

/** PEM armour with 64-column base64 lines. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
