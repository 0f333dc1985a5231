/**
 * A strict parser for the HTTP/1.1 request heads the Pipy repo port has to
 * understand: origin-form targets, `content-length` or chunked framing (the
 * body itself is decoded by http1-chunked.ts). Anything it cannot read
 * without guessing is an error with the status to answer, so a request is
 * never read two ways.
 */

/** A parsed request head. Header names are lower-case; repeated headers are joined with ", ". */
export interface RequestHead {
  readonly method: string;
  /** The request target as sent (origin-form: starts with `/`, may carry a query). */
  readonly target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minorVersion: 0 | 1;
  readonly headers: Readonly<Record<string, string>>;
  /** Bytes of the head, request line to the blank line included. */
  readonly headLength: number;
  /** The body's length from `content-length` (0 when absent or chunked). */
  readonly contentLength: number;
  /** The body is sent with the chunked transfer coding (its length is known only at its end). */
  readonly chunked: boolean;
  /** Whether the connection may carry another request after this one. */
  readonly keepAlive: boolean;
  /** A WebSocket (or other) upgrade was asked for. */
  readonly upgrade: boolean;
}

export type ParseResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'request'; readonly head: RequestHead }
  | { readonly kind: 'error'; readonly status: 400 | 431 | 501 | 505; readonly reason: string };

const HEAD_END = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\/[\x21-\x7e]*) HTTP\/(\d)\.(\d)$/;
const TARGET = /^\/[\x21-\x7e]*$/;
// Field values: visible ASCII, space and tab (obs-text is not needed here and is refused).
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
const DIGITS = /^\d{1,15}$/;

const INCOMPLETE: ParseResult = { kind: 'incomplete' };
const fail = (status: 400 | 431 | 501 | 505, reason: string): ParseResult => ({ kind: 'error', status, reason });
// The methods a route may answer (405 for most); others are not HTTP/1.1 as Node reads it either.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

/**
 * Parses the request head at the start of `buf`. `incomplete` means more
 * bytes are needed (and fewer than `maxHeadBytes` arrived); the head is
 * never read past `maxHeadBytes`.
 */
export function parseRequestHead(buf: Buffer, maxHeadBytes: number): ParseResult {
  const end = buf.indexOf(HEAD_END);
  if (end < 0 || end + HEAD_END.length > maxHeadBytes) {
    return (end < 0 ? buf.length : end + HEAD_END.length) > maxHeadBytes ? fail(431, 'request head too large') : INCOMPLETE;
  }
  const text = buf.toString('latin1', 0, end);
  const lineEnd = text.indexOf('\r\n');
  const requestLine = readRequestLine(lineEnd < 0 ? text : text.slice(0, lineEnd));
  if (requestLine.kind === 'error') return requestLine;
  const { method, target, minor } = requestLine;
  // No prototype: header names are the client's, and `constructor` or `__proto__` must read as sent.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  // Header lines are read where they lie (no split: this runs for every request).
  for (let start = lineEnd < 0 ? text.length : lineEnd + 2; start < text.length; ) {
    let stop = text.indexOf('\r\n', start);
    if (stop < 0) stop = text.length;
    const line = text.slice(start, stop);
    start = stop + 2;
    // A bare LF would let two parsers disagree on where a line ends; CR and NUL are refused by FIELD_VALUE.
    if (line.includes('\n')) return fail(400, 'bare LF in request head');
    const colon = line.indexOf(':');
    if (colon <= 0) return fail(400, 'malformed header line');
    const name = line.slice(0, colon);
    // Whitespace before the colon or a folded line (leading space) is refused (RFC 9112 §5.1, §5.2).
    if (!TOKEN.test(name)) return fail(400, `malformed header name ${JSON.stringify(name)}`);
    const value = trimOws(line, colon + 1);
    if (!FIELD_VALUE.test(value)) return fail(400, `malformed value of header ${name}`);
    const key = name.toLowerCase();
    const previous = headers[key];
    if (previous !== undefined && (key === 'content-length' || key === 'host')) {
      if (previous !== value) return fail(400, `conflicting ${key} headers`);
      continue;
    }
    headers[key] = previous === undefined ? value : `${previous}, ${value}`;
  }
  const lengthText = headers['content-length'];
  if (lengthText !== undefined && !DIGITS.test(lengthText)) return fail(400, 'malformed content-length');
  const minorVersion = minor === '0' ? 0 : 1;
  const coding = headers['transfer-encoding'];
  const framing = coding === undefined ? undefined : chunkedFraming(coding, lengthText !== undefined, minorVersion);
  if (framing) return framing;
  const connectionHeader = headers['connection'];
  const connection = connectionHeader === undefined ? [] : connectionHeader.toLowerCase().split(',').map((s) => s.trim());
  const upgrade = headers['upgrade'] !== undefined && connection.includes('upgrade');
  // RFC 9112 §3.2 requires Host on HTTP/1.1; Pipy 1.5.14 sends it on every request but its admin-link upgrade.
  if (minorVersion === 1 && headers['host'] === undefined && !upgrade) return fail(400, 'missing Host header');
  const keepAlive = minorVersion === 1 ? !connection.includes('close') : connection.includes('keep-alive');
  return {
    kind: 'request',
    head: {
      method,
      target,
      minorVersion,
      headers,
      headLength: end + HEAD_END.length,
      contentLength: lengthText === undefined ? 0 : Number(lengthText),
      chunked: coding !== undefined,
      keepAlive,
      upgrade,
    },
  };
}

/**
 * The request line: `METHOD SP /target SP HTTP/1.x`. The usual line is read
 * with string searches; anything else goes through REQUEST_LINE, which
 * tells a malformed line (400) from another HTTP version (505) and an
 * unknown method (501), in that order.
 */
function readRequestLine(line: string): { kind: 'line'; method: string; target: string; minor: string } | Extract<ParseResult, { kind: 'error' }> {
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp2 > 0) {
    const method = line.slice(0, sp1);
    const version = line.slice(sp2 + 1);
    const target = line.slice(sp1 + 1, sp2);
    // Every known method is a token, and TARGET allows no space: this is the line REQUEST_LINE reads.
    if ((version === 'HTTP/1.1' || version === 'HTTP/1.0') && METHODS.has(method) && TARGET.test(target)) {
      return { kind: 'line', method, target, minor: version === 'HTTP/1.1' ? '1' : '0' };
    }
  }
  const m = REQUEST_LINE.exec(line);
  if (!m) return { kind: 'error', status: 400, reason: 'malformed request line' };
  const [, method = '', target = '', major, minor = ''] = m;
  if (major !== '1' || (minor !== '0' && minor !== '1')) return { kind: 'error', status: 505, reason: 'only HTTP/1.0 and HTTP/1.1 are served' };
  if (!METHODS.has(method)) return { kind: 'error', status: 501, reason: `method ${method} is not implemented` };
  return { kind: 'line', method, target, minor };
}

/**
 * Refuses a `transfer-encoding` this port cannot read unambiguously (RFC
 * 9112 §6.1, §6.3): with `content-length` beside it (a smuggling vector),
 * in an HTTP/1.0 request, or with chunked missing, repeated or not last —
 * all 400; another coding before chunked is 501 (none is decoded here).
 * Returns undefined for exactly `chunked`.
 */
function chunkedFraming(value: string, hasLength: boolean, minorVersion: 0 | 1): ParseResult | undefined {
  if (hasLength) return fail(400, 'content-length and transfer-encoding together');
  if (minorVersion === 0) return fail(400, 'transfer-encoding in an HTTP/1.0 request');
  const codings = value.split(',').map((c) => trimOws(c, 0).toLowerCase());
  if (!codings.every((c) => TOKEN.test(c))) return fail(400, 'malformed transfer-encoding');
  if (codings[codings.length - 1] !== 'chunked' || codings.indexOf('chunked') !== codings.length - 1) {
    return fail(400, 'transfer-encoding must end with chunked, once');
  }
  if (codings.length > 1) return fail(501, `transfer coding ${JSON.stringify(codings[0])} is not implemented; send the body chunked only`);
  return undefined;
}

/**
 * `line` from `start` without the optional whitespace around a field value:
 * SP and HTAB only (RFC 9110 §5.6.3). String.trim also strips VT, FF and
 * NBSP, which would read `content-length: 2<VT>` as 2 where llhttp refuses it.
 */
function trimOws(line: string, start: number): string {
  let from = start;
  let to = line.length;
  while (from < to && (line[from] === ' ' || line[from] === '\t')) from++;
  while (to > from && (line[to - 1] === ' ' || line[to - 1] === '\t')) to--;
  return line.slice(from, to);
}
