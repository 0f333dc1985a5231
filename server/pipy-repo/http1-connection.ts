/**
 * One HTTP/1.1 connection of the Pipy repo port: requests are read in
 * order (pipelined ones too), each answered at once from pre-built bytes,
 * and an upgrade hands the socket over. Why not `node:http`: a Pipy sync is a
 * new connection carrying the manifest and every file, and with node:http's
 * per-request objects the repo spent more CPU per sync than everything
 * else in a mesh-wide change (see bench/repo-serve.ts).
 */
import type { Socket } from 'node:net';
import { parseRequestHead, type RequestHead } from './http1-parser.js';

export interface Http1Limits {
  /** Largest request head (request line and headers); more is answered 431. */
  readonly maxHeadBytes: number;
  /** Largest request body; more is answered 413. */
  readonly maxBodyBytes: number;
  /** A connection with no request in progress and nothing left to send is closed after this long without bytes. */
  readonly idleTimeoutMs: number;
  /**
   * A request must arrive whole within this long of its first byte (else 408
   * and close), and a peer that takes none of our bytes for idleTimeoutMs
   * gets this long more before the connection is closed.
   */
  readonly requestTimeoutMs: number;
}

export interface Http1Request {
  readonly head: RequestHead;
  /** The `content-length` bytes that followed the head. */
  readonly body: Buffer;
}

/** A response as bytes: `head` from `responseHead`, then `body` (omit it for HEAD). */
export interface Http1Response {
  readonly head: Buffer;
  readonly body?: Uint8Array;
  /** Close the connection once this response is written. */
  readonly close?: boolean;
  /** Called once the response was handed to the kernel, or with an error when the connection failed or closed first. */
  readonly onSent?: (err?: Error | null) => void;
}

export interface Http1Handlers {
  /** Answers one request, synchronously. */
  request(req: Http1Request, socket: Socket): Http1Response;
  /**
   * Takes the socket over for an upgrade request. The connection is no
   * longer read as HTTP; `rest` holds bytes that arrived after the head.
   */
  upgrade(head: RequestHead, socket: Socket, rest: Buffer): void;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  411: 'Length Required',
  413: 'Content Too Large',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
  505: 'HTTP Version Not Supported',
};

/**
 * The status line and headers of a response with a body of `contentLength`
 * bytes. No `Date` header: Pipy reloads when `Date` changes.
 */
export function responseHead(status: number, headers: Readonly<Record<string, string>>, contentLength: number, close = false): Buffer {
  let text = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\n`;
  for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
  text += `content-length: ${contentLength}\r\n`;
  if (close) text += 'connection: close\r\n';
  return Buffer.from(text + '\r\n', 'latin1');
}

/** A short plain-text answer that closes the connection (errors in the request itself). */
function closingError(status: number, reason: string): Http1Response {
  const body = Buffer.from(reason + '\n');
  return { head: responseHead(status, { 'content-type': 'text/plain' }, body.length, true), body, close: true };
}

const EMPTY = Buffer.alloc(0);
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n');

function closedEarly(socket: Socket): Error {
  const cause = socket.errored;
  return new Error(cause ? `connection failed before the response was written: ${cause.message}` : 'connection closed before the response was written');
}

/**
 * Ends `socket` after what was written, then destroys it (as node:http's
 * destroySoon does): a peer that never sends its own FIN, or never reads the
 * last answer, must not hold the connection. Idle for `timeoutMs`, it is destroyed.
 */
export function closeAfterWrite(socket: Socket, timeoutMs: number): void {
  socket.setTimeout(timeoutMs, () => socket.destroy());
  socket.end(() => socket.destroy());
}

/** Serves HTTP/1.1 on `socket` until it closes or is upgraded. */
export function serveHttp1(socket: Socket, handlers: Http1Handlers, limits: Http1Limits): void {
  let buffered: Buffer = EMPTY;
  let head: RequestHead | undefined;
  let requestTimer: NodeJS.Timeout | undefined;
  let stallTimer: NodeJS.Timeout | undefined;
  let done = false;
  // The peer sent its FIN: answer what it sent, then close (node:http does the same).
  let peerEnded = false;
  const allowHalfOpen = socket.allowHalfOpen;

  const stopRequestTimer = () => {
    if (requestTimer) clearTimeout(requestTimer);
    requestTimer = undefined;
  };
  const stopStallTimer = () => {
    if (stallTimer) clearTimeout(stallTimer);
    stallTimer = undefined;
  };
  const stopTimers = () => {
    stopRequestTimer();
    stopStallTimer();
  };
  const detach = () => {
    done = true;
    stopTimers();
    socket.off('data', onData);
    socket.off('drain', onDrain);
    socket.off('timeout', onTimeout);
    socket.off('close', stopTimers);
    socket.off('end', onEnd);
    socket.allowHalfOpen = allowHalfOpen;
    socket.setTimeout(0);
  };
  const write = (res: Http1Response) => {
    const { onSent } = res;
    // A write cut short by a destroyed socket completes without an error (Node reports
    // cancelled writes on a destroyed stream as done), so the socket's state decides.
    const done = onSent && ((err?: Error | null) => onSent(err ?? (socket.destroyed ? closedEarly(socket) : undefined)));
    socket.cork();
    if (res.body && res.body.length > 0) {
      socket.write(res.head);
      socket.write(res.body, done);
    } else {
      socket.write(res.head, done);
    }
    socket.uncork();
    if (res.close) {
      detach();
      closeAfterWrite(socket, limits.requestTimeoutMs);
    }
  };
  /** Answers every complete request buffered, stopping while the peer is not reading. */
  const drain = () => {
    while (!done && !socket.writableNeedDrain) {
      if (!head) {
        if (buffered.length === 0) return awaitMore(false);
        const parsed = parseRequestHead(buffered, limits.maxHeadBytes);
        if (parsed.kind === 'incomplete') return awaitMore(true);
        if (parsed.kind === 'error') return write(closingError(parsed.status, parsed.reason));
        head = parsed.head;
        buffered = buffered.subarray(head.headLength);
        if (head.upgrade) {
          const upgraded = head;
          const rest = buffered;
          detach();
          handlers.upgrade(upgraded, socket, rest);
          return;
        }
        if (head.contentLength > limits.maxBodyBytes) return write(closingError(413, 'request body too large'));
        const expect = head.headers['expect']?.toLowerCase();
        if (expect !== undefined && expect !== '100-continue') return write(closingError(417, `expectation ${expect} is not supported`));
        // curl and other clients wait for this before sending a larger body.
        if (expect === '100-continue' && buffered.length < head.contentLength) socket.write(CONTINUE);
      }
      if (buffered.length < head.contentLength) return awaitMore(true);
      const body = buffered.subarray(0, head.contentLength);
      buffered = buffered.subarray(head.contentLength);
      const request = { head, body };
      head = undefined;
      stopRequestTimer();
      const res = handlers.request(request, socket);
      write(request.head.keepAlive || res.close ? res : { ...res, close: true });
    }
    if (!done) socket.pause();
  };
  /** Every complete request is answered; `partial` when part of the next one is here. */
  const awaitMore = (partial: boolean) => {
    if (peerEnded) {
      detach();
      closeAfterWrite(socket, limits.requestTimeoutMs);
    } else if (partial) {
      awaitRest();
    } else {
      stopRequestTimer();
    }
  };
  /** A request is partly here: it must be whole before the request deadline. */
  const awaitRest = () => {
    requestTimer ??= setTimeout(() => {
      if (done) return;
      write(closingError(408, 'request not received in time'));
    }, limits.requestTimeoutMs).unref();
  };
  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    drain();
  };
  const onEnd = () => {
    peerEnded = true;
    // While the peer is not reading, the next 'drain' answers the rest.
    if (!socket.writableNeedDrain) drain();
  };
  const onDrain = () => {
    stopStallTimer();
    socket.resume();
    drain();
  };
  // Quiet for idleTimeoutMs. A request in progress is bounded by its own timer; a peer that
  // stopped reading our answers gets requestTimeoutMs more to take them.
  const onTimeout = () => {
    if (requestTimer) return;
    if (socket.writableLength === 0) return void socket.destroy();
    stallTimer ??= setTimeout(() => socket.destroy(), limits.requestTimeoutMs).unref();
  };

  socket.on('data', onData);
  socket.on('drain', onDrain);
  socket.on('timeout', onTimeout);
  socket.on('close', stopTimers);
  socket.on('end', onEnd);
  // Without this, Node ends our side at the peer's FIN, cutting off answers still to be written.
  socket.allowHalfOpen = true;
  socket.setTimeout(limits.idleTimeoutMs);
}
