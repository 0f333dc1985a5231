/**
 * Responses of the Pipy repo port as bytes: a head built once (per codebase
 * version for the answers Pipy asks for), then the body.
 */

/** A response as bytes: `head` from `responseHead`, then `body` (omit it for HEAD). */
export interface Http1Response {
  readonly head: Buffer;
  /**
   * The end of the head when it is kept in two pieces (`headStart`, then
   * `headEnd`): a codebase version's status line and etag, then the headers
   * of a file, shared by every codebase holding that file.
   */
  readonly headTail?: Buffer;
  readonly body?: Uint8Array;
  /** Close the connection once this response is written. */
  readonly close?: boolean;
  /** Called once the response was handed to the kernel, or with an error when the connection failed or closed first. */
  readonly onSent?: (err?: Error | null) => void;
}

const REASONS: Record<number, string> = {
  100: 'Continue',
  200: 'OK',
  201: 'Created',
  206: 'Partial Content',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

const CLOSE_HEADER = 'connection: close\r\n';

/**
 * The status line and headers of a response with a body of `contentLength`
 * bytes. No `Date` header: Pipy reloads when `Date` changes.
 */
export function responseHead(status: number, headers: Readonly<Record<string, string>>, contentLength: number, close = false): Buffer {
  return Buffer.from(startText(status, headers) + endText({}, contentLength, close), 'latin1');
}

/** The first piece of a head kept in two (see `Http1Response.headTail`): the status line and `headers`. */
export function headStart(status: number, headers: Readonly<Record<string, string>>): Buffer {
  return Buffer.from(startText(status, headers), 'latin1');
}

/** The second piece: `headers`, `content-length` and the blank line that ends the head. */
export function headEnd(headers: Readonly<Record<string, string>>, contentLength: number): Buffer {
  return Buffer.from(endText(headers, contentLength, false), 'latin1');
}

function startText(status: number, headers: Readonly<Record<string, string>>): string {
  let text = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\n`;
  for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
  return text;
}

function endText(headers: Readonly<Record<string, string>>, contentLength: number, close: boolean): string {
  let text = '';
  for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
  text += `content-length: ${contentLength}\r\n`;
  if (close) text += CLOSE_HEADER;
  return text + '\r\n';
}

/** A short plain-text answer that closes the connection (errors in the request itself). */
export function closingResponse(status: number, reason: string): Http1Response {
  const body = Buffer.from(reason + '\n');
  return { head: responseHead(status, { 'content-type': 'text/plain' }, body.length, true), body, close: true };
}

/** The same response, closing the connection and saying so (RFC 9112 §9.6). */
export function withClose(res: Http1Response): Http1Response {
  if (res.close) return res;
  // The blank line that ends the head is at the end of its last piece.
  const last = res.headTail ?? res.head;
  const whole = res.headTail ? res.head.toString('latin1') + res.headTail.toString('latin1') : last.toString('latin1');
  if (/\r\nconnection: close\r\n/i.test(whole)) return { ...res, close: true };
  const closing = Buffer.from(last.toString('latin1').slice(0, -2) + CLOSE_HEADER + '\r\n', 'latin1');
  return res.headTail ? { ...res, headTail: closing, close: true } : { ...res, head: closing, close: true };
}

/** The interim answer a client sending `expect: 100-continue` waits for before its body. */
export const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n');
