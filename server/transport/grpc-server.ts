import * as grpc from '@grpc/grpc-js';
import type { ConfigWatcher } from '../../cache/types.js';
import { silentLogger, type Logger } from '../../src/shared/logger.js';
import { decodeDeltaDiscoveryRequest, decodeDiscoveryRequest } from '../codec/discovery.js';
import { createDeltaStream } from '../delta-stream.js';
import { StatusCode, XdsStatusError } from '../errors.js';
import { createSotwStream } from '../sotw-stream.js';
import type { Authorizer, LegacyWildcardOption, PeerInfo, StreamOptions, StreamTransport, XdsCallbacks } from '../stream-types.js';
import { adaptCall, type CallAdapter } from './call-adapter.js';
import { XDS_SERVICES, serviceDefinition, type XdsServiceSpec } from './services.js';

export interface XdsServerLimits {
  /** Concurrent streams across all services; more get RESOURCE_EXHAUSTED. Default: unlimited. */
  maxStreams?: number;
  /** Unsent bytes per stream before writing pauses. Default 16 MiB. */
  maxQueuedBytesPerStream?: number;
  /** How long unsent bytes may stay above the limit before the stream is cancelled. Default 30 s. */
  sendTimeoutMs?: number;
}

export interface XdsKeepaliveOptions {
  /** Interval of server pings on idle connections (grpc.keepalive_time_ms). */
  timeMs?: number;
  /** How long to wait for a ping ack before closing the connection (grpc.keepalive_timeout_ms). */
  timeoutMs?: number;
  /** Close connections without streams after this long (grpc.max_connection_idle_ms). */
  maxConnectionIdleMs?: number;
  /** Ping even when there are no calls (grpc.keepalive_permit_without_calls). */
  permitWithoutCalls?: boolean;
}

export interface XdsServerOptions {
  /** The cache, seen only through the watch interface. */
  watcher: ConfigWatcher;
  callbacks?: XdsCallbacks;
  logger?: Logger;
  /** Default true. Set false (or disable per type) when serving gRPC xDS clients. */
  legacyWildcard?: LegacyWildcardOption;
  limits?: XdsServerLimits;
  keepalive?: XdsKeepaliveOptions;
  /** Used by `listen`; default insecure. Mutual TLS exposes the client certificate to callbacks and `authorize`. */
  credentials?: grpc.ServerCredentials;
  /** Called before each watch; throw to deny (see `Authorizer`). */
  authorize?: Authorizer;
}

export interface XdsServer {
  /** Creates and owns a grpc.Server bound to `address` (`host:port`, port 0 for any); resolves with the bound port. */
  listen(address: string): Promise<number>;
  /** Registers the xDS services on a grpc.Server the caller owns (and binds, and shuts down). */
  addTo(server: grpc.Server): void;
  /**
   * Stops accepting streams, lets each stream send what is queued, ends it
   * with UNAVAILABLE ("server is shutting down", so clients reconnect
   * elsewhere), and waits for the calls to finish; after `graceMs` (default
   * 5 s) an owned server is shut down forcibly. Idempotent.
   */
  close(options?: { graceMs?: number }): Promise<void>;
  /** Streams currently open. */
  readonly activeStreams: number;
}

const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024;
const DEFAULT_SEND_TIMEOUT_MS = 30_000;

/** Creates the xDS gRPC server: ADS and per-type services, SotW and delta. Does no I/O until `listen`. */
export function createXdsServer(options: XdsServerOptions): XdsServer {
  const logger = options.logger ?? silentLogger;
  const limits = {
    maxQueuedBytesPerStream: options.limits?.maxQueuedBytesPerStream ?? DEFAULT_MAX_QUEUED_BYTES,
    sendTimeoutMs: options.limits?.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
  };
  const maxStreams = options.limits?.maxStreams ?? Infinity;
  const active = new Set<CallAdapter>();
  let nextStreamId = 0;
  let owned: grpc.Server | undefined;
  let closing: Promise<void> | undefined;

  const reject = (call: grpc.ServerDuplexStream<Buffer, Buffer>, code: number, details: string) => {
    call.on('error', () => {});
    call.emit('error', { code, details });
  };

  const handler = (spec: XdsServiceSpec, kind: 'sotw' | 'delta') => (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    if (closing) return reject(call, StatusCode.UNAVAILABLE, 'server is shutting down');
    if (active.size >= maxStreams) {
      try {
        options.callbacks?.onStreamRejected?.(peerOf(call), `stream limit reached (${maxStreams})`);
      } catch (err) {
        logger.warn('onStreamRejected callback threw', { error: String(err) });
      }
      return reject(call, StatusCode.RESOURCE_EXHAUSTED, `stream limit reached (${maxStreams})`);
    }
    const base = (transport: StreamTransport): StreamOptions => ({
      streamId: ++nextStreamId,
      typeUrl: spec.typeUrl,
      peer: peerOf(call),
      watcher: options.watcher,
      transport,
      logger,
      ...(options.callbacks ? { callbacks: options.callbacks } : {}),
      ...(options.legacyWildcard !== undefined ? { legacyWildcard: options.legacyWildcard } : {}),
      ...(options.authorize ? { authorize: options.authorize } : {}),
    });
    let adapter: CallAdapter | undefined;
    let over = false;
    const onEnded = () => {
      over = true;
      if (adapter) active.delete(adapter);
    };
    adapter =
      kind === 'sotw'
        ? adaptCall({ call, limits, logger, onEnded, decode: decodeDiscoveryRequest, createStream: (t) => createSotwStream(base(t)) })
        : adaptCall({ call, limits, logger, onEnded, decode: decodeDeltaDiscoveryRequest, createStream: (t) => createDeltaStream(base(t)) });
    if (!over) active.add(adapter);
  };

  const addTo = (server: grpc.Server) => {
    for (const spec of XDS_SERVICES) {
      server.addService(serviceDefinition(spec), {
        [spec.sotwMethod]: handler(spec, 'sotw'),
        [spec.deltaMethod]: handler(spec, 'delta'),
      });
    }
  };

  return {
    addTo,
    async listen(address) {
      if (owned) throw new Error('xDS server is already listening');
      const ka = options.keepalive ?? {};
      const server = new grpc.Server({
        ...(ka.timeMs !== undefined ? { 'grpc.keepalive_time_ms': ka.timeMs } : {}),
        ...(ka.timeoutMs !== undefined ? { 'grpc.keepalive_timeout_ms': ka.timeoutMs } : {}),
        ...(ka.maxConnectionIdleMs !== undefined ? { 'grpc.max_connection_idle_ms': ka.maxConnectionIdleMs } : {}),
        ...(ka.permitWithoutCalls !== undefined ? { 'grpc.keepalive_permit_without_calls': ka.permitWithoutCalls ? 1 : 0 } : {}),
      });
      addTo(server);
      const creds = options.credentials ?? grpc.ServerCredentials.createInsecure();
      const port = await new Promise<number>((resolve, rejectBind) =>
        server.bindAsync(address, creds, (err, p) => (err ? rejectBind(err) : resolve(p))),
      );
      owned = server;
      return port;
    },
    close({ graceMs = 5000 } = {}) {
      closing ??= (async () => {
        const shutdown = new XdsStatusError(StatusCode.UNAVAILABLE, 'server is shutting down');
        const streams = [...active];
        for (const a of streams) a.drain(shutdown);
        const server = owned;
        const graceful = Promise.all([
          ...streams.map((a) => a.done),
          ...(server ? [new Promise<void>((r) => server.tryShutdown(() => r()))] : []),
        ]);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          graceful.then(() => false),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
        ]);
        clearTimeout(timer);
        if (timedOut) {
          logger.warn('xDS server close: grace period over, forcing', { streams: active.size });
          for (const a of active) a.end(shutdown);
          server?.forceShutdown();
        }
      })();
      return closing;
    },
    get activeStreams() {
      return active.size;
    },
  };
}

function peerOf(call: grpc.ServerDuplexStream<Buffer, Buffer>): PeerInfo {
  const cert = call.getAuthContext().sslPeerCertificate;
  const hasCert = cert !== undefined && Object.keys(cert).length > 0;
  return { address: call.getPeer(), ...(hasCert ? { certificate: cert } : {}) };
}
