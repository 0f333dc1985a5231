/**
 * A strict, incremental decoder of the chunked transfer coding (RFC 9112
 * §7.1) for request bodies. Pipy's HTTP encoder sends any body above its
 * 16 KiB buffer chunked (upper-case hex sizes, no extensions, no trailers),
 * which is how status reports with metrics arrive.
 *
 * Strictness follows llhttp (Node's parser), so that no request is read two
 * ways by this port and a proxy in front of it: chunk extensions are read and
 * ignored, but without whitespace around `;` and `=` (the RFC's "bad
 * whitespace", which llhttp refuses); trailer fields are checked like header
 * fields and discarded (§7.1.2 allows dropping them); every line ends in
 * CRLF. The decoded body is bounded as it arrives, so a chunk size past the
 * limit is refused before its data is read.
 */

export interface ChunkedLimits {
  /** Largest decoded body; a chunk that would pass it is refused with 413. */
  readonly maxBodyBytes: number;
  /** Largest chunk-size line, extensions included (400 past it). */
  readonly maxLineBytes: number;
  /** Largest trailer section (431 past it). */
  readonly maxTrailerBytes: number;
}

export type ChunkedResult =
  | { readonly kind: 'incomplete' }
  /** The body is whole; `rest` holds the bytes after it (a pipelined request). */
  | { readonly kind: 'done'; readonly body: Buffer; readonly rest: Buffer }
  | { readonly kind: 'error'; readonly status: 400 | 413 | 431; readonly reason: string };

export interface ChunkedDecoder {
  /** Feeds the next bytes of the connection; call again with more bytes while `incomplete`. */
  push(data: Buffer): ChunkedResult;
}

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n');
const EMPTY = Buffer.alloc(0);
const INCOMPLETE: ChunkedResult = { kind: 'incomplete' };
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t \\x21-\\x7e])*"';
// chunk-size [ chunk-ext ]: hex digits, then `;name` or `;name=value` repeated.
const SIZE_LINE = new RegExp(`^([0-9A-Fa-f]+)((?:;${TOKEN}(?:=(?:${TOKEN}|${QUOTED}))?)*)$`);
const FIELD_LINE = new RegExp(`^${TOKEN}:[\\t ]*[\\t\\x20-\\x7e]*$`);
// 8 hex digits already pass any body limit worth having; more would lose precision.
const MAX_SIZE_DIGITS = 8;

const fail = (status: 400 | 413 | 431, reason: string): ChunkedResult => ({ kind: 'error', status, reason });

export function createChunkedDecoder(limits: ChunkedLimits): ChunkedDecoder {
  let state: 'size' | 'data' | 'data-end' | 'trailer' = 'size';
  /** Bytes of a line (or of a CRLF) that arrived without their end yet. */
  let pending: Buffer = EMPTY;
  /** Data bytes still to read of the current chunk. */
  let remaining = 0;
  let trailerBytes = 0;
  // Decoded bytes are copied into one growing buffer: keeping a view per chunk
  // would let a body of 1-byte chunks cost an object per byte.
  let body = Buffer.alloc(0);
  let length = 0;
  let failed: ChunkedResult | undefined;

  const append = (bytes: Buffer) => {
    if (length + bytes.length > body.length) {
      const grown = Buffer.allocUnsafe(Math.min(limits.maxBodyBytes, Math.max(length + bytes.length, body.length * 2, 4096)));
      body.copy(grown, 0, 0, length);
      body = grown;
    }
    bytes.copy(body, length);
    length += bytes.length;
  };

  /** Reads a chunk-size line; returns an error, or undefined to go on. */
  const sizeLine = (line: string): ChunkedResult | undefined => {
    const m = SIZE_LINE.exec(line);
    if (!m) return fail(400, 'malformed chunk size line');
    const digits = (m[1] as string).replace(/^0+(?=.)/, '');
    const size = digits.length > MAX_SIZE_DIGITS ? Infinity : parseInt(digits, 16);
    if (size === 0) {
      state = 'trailer';
      return undefined;
    }
    if (length + size > limits.maxBodyBytes) return fail(413, 'request body too large');
    remaining = size;
    state = 'data';
    return undefined;
  };

  /** Reads a trailer line; returns the result when the body is over or wrong, undefined to go on. */
  const trailerLine = (line: string, buf: Buffer, next: number): ChunkedResult | undefined => {
    trailerBytes += line.length + 2;
    if (trailerBytes > limits.maxTrailerBytes) return fail(431, 'trailer section too large');
    if (line === '') return { kind: 'done', body: body.subarray(0, length), rest: buf.subarray(next) };
    return FIELD_LINE.test(line) ? undefined : fail(400, 'malformed trailer field');
  };

  const decode = (buf: Buffer): ChunkedResult => {
    let at = 0;
    for (;;) {
      if (state === 'data') {
        const n = Math.min(remaining, buf.length - at);
        append(buf.subarray(at, at + n));
        at += n;
        remaining -= n;
        if (remaining > 0) return INCOMPLETE;
        state = 'data-end';
      }
      if (state === 'data-end') {
        if (buf.length - at < 2) {
          if (at < buf.length && buf[at] !== CR) return fail(400, 'chunk data not followed by CRLF');
          pending = buf.subarray(at);
          return INCOMPLETE;
        }
        if (buf[at] !== CR || buf[at + 1] !== LF) return fail(400, 'chunk data not followed by CRLF');
        at += 2;
        state = 'size';
      }
      // A line: the chunk size, or a trailer field (or the blank line that ends the body).
      const eol = buf.indexOf(CRLF, at);
      const limit = state === 'size' ? limits.maxLineBytes : limits.maxTrailerBytes - trailerBytes;
      if (eol < 0) {
        if (buf.length - at > limit) return state === 'size' ? fail(400, 'chunk size line too long') : fail(431, 'trailer section too large');
        if (buf.indexOf(LF, at) >= 0) return fail(400, 'bare LF in chunked body');
        pending = buf.subarray(at);
        return INCOMPLETE;
      }
      if (eol - at > limit) return state === 'size' ? fail(400, 'chunk size line too long') : fail(431, 'trailer section too large');
      // CR and LF inside a line are refused by the line patterns (latin1 keeps every byte one character).
      const line = buf.toString('latin1', at, eol);
      const next = eol + 2;
      const result = state === 'size' ? sizeLine(line) : trailerLine(line, buf, next);
      if (result) return result;
      at = next;
    }
  };

  return {
    push(data) {
      if (failed) return failed;
      const buf = pending.length > 0 ? Buffer.concat([pending, data]) : data;
      pending = EMPTY;
      const result = decode(buf);
      if (result.kind === 'error') failed = result;
      return result;
    },
  };
}
