import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../src/shared/logger.js';
import type { ResponseParts } from '../codec/discovery.js';
import { StatusCode, XdsStatusError, toStatusError } from '../errors.js';
import type { StreamTransport, XdsStream } from '../stream-types.js';

/** Per-stream send limits. */
export interface SendLimits {
  /** Bytes written to the call but not yet flushed, plus queued; writing pauses above this. */
  readonly maxQueuedBytesPerStream: number;
  /** A stream whose unsent bytes stay above the limit this long is cancelled with RESOURCE_EXHAUSTED. */
  readonly sendTimeoutMs: number;
}

export interface CallAdapter {
  /** Stops new responses, sends what is queued, then ends the call with `status`. */
  drain(status: XdsStatusError): void;
  /** Ends the call now (no more writes) with `status`; OK when undefined. */
  end(status?: XdsStatusError): void;
  /** Resolves when the call finished or was cancelled. */
  readonly done: Promise<void>;
}

/**
 * Connects a transport-independent stream to a grpc-js duplex call: feeds it
 * decoded requests, and writes its responses while the call takes them.
 *
 * Backpressure: writing stops while `call.write()` asks to wait for 'drain'
 * or while the bytes written but not yet flushed reach the limit (at least
 * one response is always allowed, however large). Responses produced
 * meanwhile wait in the stream's queue, one per type, so a slow client costs
 * bounded memory and never delays other streams. If the unsent bytes stay
 * above the limit for `sendTimeoutMs`, the stream is cancelled with
 * RESOURCE_EXHAUSTED: its watches end and it stops counting against
 * `maxStreams`. (grpc-js has no public way to reset one HTTP/2 stream, so
 * the bytes already handed to it stay buffered until the client reads or
 * disconnects — at most the limit plus one response.)
 */
export function adaptCall<Req>(options: {
  call: grpc.ServerDuplexStream<Buffer, ResponseParts>;
  createStream: (transport: StreamTransport) => XdsStream<Req>;
  /** Decodes a request; throws XdsStatusError to end the stream with that status, anything else ends it as malformed. */
  decode: (bytes: Buffer) => Req;
  limits: SendLimits;
  logger: Logger;
  /** Called once when the stream is over for the server (ended by either side); the call may still be flushing. */
  onEnded: () => void;
  /** A response was not delivered (failed write, or cancelled for not reading); called before the stream closes when the server ends it. */
  onSendError: (streamId: number, reason: string) => void;
}): CallAdapter {
  const { call, decode, limits, logger } = options;
  let inflight = 0;
  let waitingDrain = false;
  let ended = false;
  let draining: XdsStatusError | undefined;
  let stallTimer: NodeJS.Timeout | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  const clearStall = () => {
    if (stallTimer) clearTimeout(stallTimer);
    stallTimer = undefined;
  };
  const stream = options.createStream({ wake: () => pump(), fail: (e) => end(e) });
  const unsent = () => inflight + stream.queuedBytes();

  const checkStall = () => {
    if (ended) return;
    if (unsent() <= limits.maxQueuedBytesPerStream) {
      clearStall();
      return;
    }
    if (stallTimer) return;
    stallTimer = setTimeout(() => {
      stallTimer = undefined;
      const bytes = unsent();
      if (bytes <= limits.maxQueuedBytesPerStream) return;
      logger.warn('cancelling stream: client is not reading', { streamId: stream.id, unsentBytes: bytes });
      const details = `client did not read ${bytes} bytes within ${limits.sendTimeoutMs} ms`;
      options.onSendError(stream.id, details);
      end(new XdsStatusError(StatusCode.RESOURCE_EXHAUSTED, details));
    }, limits.sendTimeoutMs);
  };

  const pump = () => {
    while (!ended && !waitingDrain && inflight < limits.maxQueuedBytesPerStream) {
      const res = contain(() => stream.takeResponse());
      if (!res) break;
      const len = res.length;
      inflight += len;
      const ok = call.write(res, (err?: Error | null) => {
        inflight -= len;
        if (err) {
          // The response is lost and the state machine believes it was sent: the stream cannot go on consistently.
          options.onSendError(stream.id, `write failed: ${err.message}`);
          end(new XdsStatusError(StatusCode.UNAVAILABLE, 'response could not be sent'));
          return;
        }
        pump();
      });
      if (!ok) {
        waitingDrain = true;
        call.once('drain', () => {
          waitingDrain = false;
          pump();
        });
      }
    }
    if (draining && !ended && stream.queuedBytes() === 0) {
      // Pending writes flush before the trailers: grpc-js ends the call after them.
      end(draining);
      return;
    }
    checkStall();
  };

  /** The state machine guards callbacks itself; anything else thrown (a watcher bug) ends only this stream. */
  function contain<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      logger.error('xDS stream failed', { streamId: stream.id, error: err instanceof Error ? err.message : String(err) });
      end(toStatusError(err));
      return undefined;
    }
  }

  function end(status?: XdsStatusError) {
    if (ended) return;
    ended = true;
    clearStall();
    stream.close();
    options.onEnded();
    if (call.cancelled || call.destroyed) {
      resolveDone();
      return;
    }
    if (status) call.emit('error', { code: status.code, details: status.details });
    else call.end();
  }

  call.on('data', (bytes: Buffer) => {
    if (ended) return;
    let request: Req;
    try {
      request = decode(bytes);
    } catch (err) {
      // A decoder refuses a request it will not take (over a limit) with its own status.
      if (err instanceof XdsStatusError) {
        logger.warn('xDS request refused', { streamId: stream.id, reason: err.details });
        end(err);
        return;
      }
      end(new XdsStatusError(StatusCode.INVALID_ARGUMENT, `malformed request: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    contain(() => stream.receive(request));
  });
  // The client half-closed: nothing more will be asked, so the stream is over.
  call.on('end', () => end());
  call.on('cancelled', () => {
    if (!ended) {
      ended = true;
      clearStall();
      stream.close();
      options.onEnded();
    }
    resolveDone();
  });
  call.on('finish', () => resolveDone());
  call.on('close', () => resolveDone());

  contain(() => stream.open());
  return {
    drain(status) {
      if (ended) return;
      draining = status;
      stream.quiesce();
      pump();
    },
    end,
    done,
  };
}
