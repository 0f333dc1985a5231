/**
 * Responses of the Pipy repo port as bytes: a head built once (per codebase
 * version for the answers Pipy asks for), then the body.
 */

/** A response as bytes: `head` from `responseHead`, then `body` (omit it for HEAD). */
export interface Http1Response {
  readonly head: Buffer;
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
  let text = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\n`;
  for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
  text += `content-length: ${contentLength}\r\n`;
  if (close) text += CLOSE_HEADER;
  return Buffer.from(text + '\r\n', 'latin1');
}

/** A short plain-text answer that closes the connection (errors in the request itself). */
export function closingResponse(status: number, reason: string): Http1Response {
  const body = Buffer.from(reason + '\n');
  return { head: responseHead(status, { 'content-type': 'text/plain' }, body.length, true), body, close: true };
}

/** The same response, closing the connection and saying so (RFC 9112 §9.6). */
export function withClose(res: Http1Response): Http1Response {
  if (res.close) return res;
  const head = res.head.toString('latin1');
  const closing = /\r\nconnection: close\r\n/i.test(head) ? res.head : Buffer.from(head.slice(0, -2) + CLOSE_HEADER + '\r\n', 'latin1');
  return { ...res, head: closing, close: true };
}

/** The interim answer a client sending `expect: 100-continue` waits for before its body. */
export const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n');
