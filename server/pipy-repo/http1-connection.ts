/**
 * One HTTP/1.1 connection of the Pipy repo port: requests are read in
 * order (pipelined ones too), each answered at once from pre-built bytes,
 * and an upgrade hands the socket over. Why not `node:http`: a Pipy sync is a
 * new connection carrying the manifest and every file, and node:http's
 * per-request objects made each sync cost a quarter more CPU than bytes
 * written from a plain socket (bench/repo-serve.ts, README).
 */
import type { Socket } from 'node:net';
import { createChunkedDecoder, type ChunkedDecoder } from './http1-chunked.js';
import { parseRequestHead, type RequestHead } from './http1-parser.js';
import { CONTINUE, closingResponse, withClose, type Http1Response } from './http1-response.js';

export interface Http1Limits {
  /** Largest request head (request line and headers); more is answered 431. */
  readonly maxHeadBytes: number;
  /** Largest request body, chunked or not; more is answered 413. */
  readonly maxBodyBytes: number;
  /** A connection with no request in progress and nothing left to send is closed after this long without bytes. */
  readonly idleTimeoutMs: number;
  /**
   * A request must arrive whole within this long of its first byte (else 408
   * and close). A write the peer has not finished taking after idleTimeoutMs
   * gets this long more before the connection is closed: an answer must be
   * read within their sum (12 s on the repo port; Pipy's files take
   * milliseconds), so a peer that stops reading cannot hold a connection.
   */
  readonly requestTimeoutMs: number;
}

export interface Http1Request {
  readonly head: RequestHead;
  /** The body: the `content-length` bytes that followed the head, or the chunked body decoded. */
  readonly body: Buffer;
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

const EMPTY = Buffer.alloc(0);
// A chunk-size line carries a hex size and, rarely, extensions (Pipy sends none).
const MAX_CHUNK_LINE_BYTES = 1024;

function closedEarly(socket: Socket): Error {
  const cause = socket.errored;
  return new Error(cause ? `connection failed before the response was written: ${cause.message}` : 'connection closed before the response was written');
}

/** `buf` from `start` on. */
function rest(buf: Buffer, start: number): Buffer {
  if (start === 0) return buf;
  return start >= buf.length ? EMPTY : buf.subarray(start);
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
  /** Body bytes that arrived after `buffered`, while the body is incomplete. */
  let pieces: Buffer[] = [];
  let piecesLength = 0;
  let head: RequestHead | undefined;
  /** The decoder of the current request's chunked body; `buffered` then holds only bytes it has not seen. */
  let chunked: ChunkedDecoder | undefined;
  let requestTimer: NodeJS.Timeout | undefined;
  let stallTimer: NodeJS.Timeout | undefined;
  let done = false;
  // The peer sent its FIN: answer what it sent, then close (node:http does the same).
  let peerEnded = false;
  /** Writes whose callback has not run yet (a callback may still be queued after the bytes left). */
  let unsent = 0;
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
  /** Attaches or detaches this connection's listeners (one list, so the two cannot drift apart). */
  const listen = (how: 'on' | 'off') => {
    socket[how]('data', onData);
    socket[how]('drain', onDrain);
    socket[how]('timeout', onTimeout);
    socket[how]('close', stopTimers);
    socket[how]('end', onEnd);
  };
  const detach = () => {
    done = true;
    stopTimers();
    listen('off');
    socket.allowHalfOpen = allowHalfOpen;
    socket.setTimeout(0);
  };
  const write = (res: Http1Response) => {
    const { onSent } = res;
    // A write cut short by a destroyed socket completes without an error (Node reports
    // cancelled writes on a destroyed stream as done), so the socket's state decides.
    // A finished write also ends a stall: 'drain' only comes after a write above the high-water mark.
    const finished = (err?: Error | null) => {
      unsent--;
      stopStallTimer();
      onSent?.(err ?? (socket.destroyed ? closedEarly(socket) : undefined));
    };
    unsent++;
    const { head, headTail, body } = res;
    if (!headTail && !(body && body.length > 0)) {
      socket.write(head, finished);
    } else {
      // The pieces leave in one writev.
      socket.cork();
      socket.write(head);
      if (body && body.length > 0) {
        if (headTail) socket.write(headTail);
        socket.write(body, finished);
      } else {
        socket.write(headTail as Buffer, finished);
      }
      socket.uncork();
    }
    if (res.close) {
      detach();
      closeAfterWrite(socket, limits.requestTimeoutMs);
    }
  };
  /** Answers every complete request buffered, stopping while the peer is not reading. */
  const drain = () => {
    while (!done && !socket.writableNeedDrain) {
      if (!head) {
        // RFC 9112 §2.2: empty lines before a request line are ignored.
        while (buffered.length >= 2 && buffered[0] === 0x0d && buffered[1] === 0x0a) buffered = buffered.subarray(2);
        if (buffered.length === 0) return awaitMore(false);
        const parsed = parseRequestHead(buffered, limits.maxHeadBytes);
        if (parsed.kind === 'incomplete') return awaitMore(true);
        if (parsed.kind === 'error') return write(closingResponse(parsed.status, parsed.reason));
        head = parsed.head;
        buffered = rest(buffered, head.headLength);
        if (head.upgrade) {
          const upgraded = head;
          const rest = buffered;
          detach();
          handlers.upgrade(upgraded, socket, rest);
          return;
        }
        if (head.contentLength > limits.maxBodyBytes) return write(closingResponse(413, 'request body too large'));
        const expect = head.headers['expect']?.toLowerCase();
        if (expect !== undefined && expect !== '100-continue') return write(closingResponse(417, `expectation ${expect} is not supported`));
        // curl and other clients wait for this before sending a larger body.
        const bodyPending = head.chunked ? buffered.length === 0 : buffered.length < head.contentLength;
        if (expect === '100-continue' && head.minorVersion === 1 && bodyPending) socket.write(CONTINUE);
        if (head.chunked) {
          chunked = createChunkedDecoder({ maxBodyBytes: limits.maxBodyBytes, maxLineBytes: MAX_CHUNK_LINE_BYTES, maxTrailerBytes: limits.maxHeadBytes });
        }
      }
      let body: Buffer;
      if (chunked) {
        const decoded = chunked.push(buffered);
        buffered = EMPTY;
        if (decoded.kind === 'incomplete') return awaitMore(true);
        if (decoded.kind === 'error') return write(closingResponse(decoded.status, decoded.reason));
        chunked = undefined;
        body = decoded.body;
        buffered = decoded.rest;
      } else {
        if (buffered.length < head.contentLength) return awaitMore(true);
        // Most requests (HEAD, GET) have no body and arrive alone: no views to make then.
        body = head.contentLength === 0 ? EMPTY : buffered.subarray(0, head.contentLength);
        buffered = rest(buffered, head.contentLength);
      }
      const request = { head, body };
      head = undefined;
      stopRequestTimer();
      const res = handlers.request(request, socket);
      write(request.head.keepAlive ? res : withClose(res));
    }
    if (!done) socket.pause();
  };
  /** Every complete request is answered; `partial` when part of the next one is here. */
  const awaitMore = (partial: boolean) => {
    if (peerEnded) {
      detach();
      // Everything was read and every answer has left: nothing is lost by closing at once (most
      // polls end here: Pipy closes after one HEAD), which spares a shutdown and a timer.
      if (unsent === 0 && socket.writableLength === 0) socket.destroy();
      else closeAfterWrite(socket, limits.requestTimeoutMs);
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
      write(closingResponse(408, 'request not received in time'));
    }, limits.requestTimeoutMs).unref();
  };
  const onData = (chunk: Buffer) => {
    if (head && !chunked && buffered.length < head.contentLength) {
      // A body arriving in many small pieces is joined once, not on every piece.
      pieces.push(chunk);
      piecesLength += chunk.length;
      if (buffered.length + piecesLength < head.contentLength) return;
      buffered = Buffer.concat([buffered, ...pieces]);
      pieces = [];
      piecesLength = 0;
    } else {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    }
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

  listen('on');
  // Without this, Node ends our side at the peer's FIN, cutting off answers still to be written.
  socket.allowHalfOpen = true;
  socket.setTimeout(limits.idleTimeoutMs);
}
