import * as grpc from '@grpc/grpc-js';
import type { ConfigWatcher } from '../../cache/types.js';
import { parseHostPort } from '../../src/shared/host-port.js';
import { LIMIT_DEFAULTS } from '../../src/shared/limits.js';
import { silentLogger, type Logger } from '../../src/shared/logger.js';
import { decodeDeltaDiscoveryRequest, decodeDiscoveryRequest, type ResponseParts } from '../codec/discovery.js';
import { keptNodeBytes, NODE_FIELD } from '../codec/node-size.js';
import { createDeltaStream } from '../delta-stream.js';
import { StatusCode, XdsStatusError } from '../errors.js';
import { createSotwStream } from '../sotw-stream.js';
import type { Authorizer, LegacyWildcardOption, PeerInfo, StreamOptions, StreamTransport, XdsCallbacks } from '../stream-types.js';
import { adaptCall, type CallAdapter } from './call-adapter.js';
import { createConnectionGate, type ConnectionGate } from './connection-gate.js';
import { XDS_SERVICES, serviceDefinition, type XdsServiceSpec } from './services.js';

export interface XdsServerLimits {
  /** Concurrent streams across all services; more get RESOURCE_EXHAUSTED. Default: unlimited. */
  maxStreams?: number;
  /** Unsent bytes per stream before writing pauses. Default 16 MiB. */
  maxQueuedBytesPerStream?: number;
  /** How long unsent bytes may stay above the limit before the stream is cancelled. Default 30 s. */
  sendTimeoutMs?: number;
  /**
   * Encoded bytes of the node fields kept per stream (id, cluster, metadata,
   * user agent); a request with a larger node ends its stream with
   * INVALID_ARGUMENT. Default 64 KiB.
   */
  maxNodeBytes?: number;
  /** `listen` only: open TCP connections; more are closed as they are accepted. Default 10,000. */
  maxConnections?: number;
  /**
   * `listen` only: a connection must finish its TLS handshake (with `tls`) and
   * then send the HTTP/2 client preface, each within this long, or it is
   * closed. Not applied with `credentials`, whose TLS grpc-js terminates. Default 5 s.
   */
  handshakeTimeoutMs?: number;
}

export interface XdsKeepaliveOptions {
  /** Interval of server pings on idle connections (grpc.keepalive_time_ms). */
  timeMs?: number;
  /** How long to wait for a ping ack before closing the connection (grpc.keepalive_timeout_ms). */
  timeoutMs?: number;
  /** Close connections without streams after this long (grpc.max_connection_idle_ms). Default 60 s for `listen`. */
  maxConnectionIdleMs?: number;
  /** Ping even when there are no calls (grpc.keepalive_permit_without_calls). */
  permitWithoutCalls?: boolean;
}

/** PEM key material for mutual TLS on the xDS port. */
export interface XdsTlsMaterial {
  readonly key: string | Buffer;
  /** The serving certificate chain, leaf first. */
  readonly cert: string | Buffer;
  /** Roots that client certificates must chain to. */
  readonly ca: string | Buffer;
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
  /** Used by `listen`; default insecure. Mutual TLS exposes the client certificate to callbacks and `authorize`. Exclusive with `tls`. */
  credentials?: grpc.ServerCredentials;
  /**
   * Mutual TLS for `listen` (client certificates required) with material that
   * `setTls` can replace while serving. Exclusive with `credentials`.
   */
  tls?: XdsTlsMaterial;
  /** Called before each watch; throw to deny (see `Authorizer`). */
  authorize?: Authorizer;
}

export interface XdsServer {
  /**
   * Creates and owns a grpc.Server fed by a listener of its own on `address`
   * (`host:port`, IPv6 in brackets, port 0 for any), which bounds the
   * connections (`limits.maxConnections`, `limits.handshakeTimeoutMs`);
   * resolves with the bound port.
   */
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
  /**
   * Replaces the serving key, certificate and client CA for new connections
   * (certificate renewal, root rotation); established connections and their
   * streams keep the material they were accepted with. Only for a server
   * created with `tls`; callable before and after `listen`.
   */
  setTls(material: XdsTlsMaterial): void;
  /**
   * Changes the concurrent stream limit (`undefined` or 0: unlimited). It
   * applies to new streams; streams already open above a lowered limit keep
   * running.
   */
  setMaxStreams(max: number | undefined): void;
  /** Streams currently open. */
  readonly activeStreams: number;
}

const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024;
const DEFAULT_SEND_TIMEOUT_MS = 30_000;

/** Creates the xDS gRPC server: ADS and per-type services, SotW and delta. Does no I/O until `listen`. */
export function createXdsServer(options: XdsServerOptions): XdsServer {
  if (options.tls && options.credentials) throw new Error('xDS server: give either `tls` or `credentials`, not both');
  const logger = options.logger ?? silentLogger;
  const limits = {
    maxQueuedBytesPerStream: options.limits?.maxQueuedBytesPerStream ?? DEFAULT_MAX_QUEUED_BYTES,
    sendTimeoutMs: options.limits?.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
  };
  const maxNodeBytes = options.limits?.maxNodeBytes ?? LIMIT_DEFAULTS.maxNodeBytes;
  let tlsMaterial = options.tls && { ...options.tls };
  let maxStreams = options.limits?.maxStreams ?? Infinity;
  const active = new Set<CallAdapter>();
  let nextStreamId = 0;
  let owned: { server: grpc.Server; gate: ConnectionGate } | undefined;
  let closing: Promise<void> | undefined;

  /** Refuses a request whose node is over the limit before it is decoded. */
  const nodeWithinLimit = (bytes: Buffer, field: number) => {
    const size = keptNodeBytes(bytes, field);
    if (size > maxNodeBytes) {
      throw new XdsStatusError(StatusCode.INVALID_ARGUMENT, `node is ${size} bytes (id, cluster, metadata, user agent), over the server's limit of ${maxNodeBytes}`);
    }
  };
  const decodeSotw = (bytes: Buffer) => {
    nodeWithinLimit(bytes, NODE_FIELD.sotw);
    return decodeDiscoveryRequest(bytes);
  };
  const decodeDelta = (bytes: Buffer) => {
    nodeWithinLimit(bytes, NODE_FIELD.delta);
    return decodeDeltaDiscoveryRequest(bytes);
  };

  const reject = (call: grpc.ServerDuplexStream<Buffer, ResponseParts>, code: number, details: string) => {
    call.on('error', () => {});
    call.emit('error', { code, details });
  };

  const handler = (spec: XdsServiceSpec, kind: 'sotw' | 'delta') => (call: grpc.ServerDuplexStream<Buffer, ResponseParts>) => {
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
    const onSendError = (streamId: number, reason: string) => {
      try {
        options.callbacks?.onSendError?.(streamId, spec.typeUrl, reason);
      } catch (err) {
        logger.warn('onSendError callback threw', { streamId, error: String(err) });
      }
    };
    const common = { call, limits, logger, onEnded, onSendError };
    adapter =
      kind === 'sotw'
        ? adaptCall({ ...common, decode: decodeSotw, createStream: (t) => createSotwStream(base(t)) })
        : adaptCall({ ...common, decode: decodeDelta, createStream: (t) => createDeltaStream(base(t)) });
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
      const { host, port } = parseHostPort(address, 'xDS listen address');
      const ka = options.keepalive ?? {};
      const server = new grpc.Server({
        ...(ka.timeMs !== undefined ? { 'grpc.keepalive_time_ms': ka.timeMs } : {}),
        ...(ka.timeoutMs !== undefined ? { 'grpc.keepalive_timeout_ms': ka.timeoutMs } : {}),
        'grpc.max_connection_idle_ms': ka.maxConnectionIdleMs ?? LIMIT_DEFAULTS.xdsMaxConnectionIdleMs,
        ...(ka.permitWithoutCalls !== undefined ? { 'grpc.keepalive_permit_without_calls': ka.permitWithoutCalls ? 1 : 0 } : {}),
      });
      addTo(server);
      // grpc-js neither bounds connections nor times out a silent one, so the
      // listener is ours: it hands each connection to grpc-js and closes those
      // that do not speak HTTP/2 in time; with `tls`, TLS is terminated there
      // too (grpc-js reads the client certificate from the TLS socket it is given).
      const injector = server.createConnectionInjector(options.credentials ?? grpc.ServerCredentials.createInsecure());
      const gate = createConnectionGate({
        maxConnections: options.limits?.maxConnections ?? LIMIT_DEFAULTS.xdsMaxConnections,
        handshakeTimeoutMs: options.limits?.handshakeTimeoutMs ?? LIMIT_DEFAULTS.handshakeTimeoutMs,
        check: options.credentials ? 'none' : 'preface',
        ...(tlsMaterial ? { tls: tlsMaterial } : {}),
        onConnection: (socket) => injector.injectConnection(socket),
        logger,
      });
      owned = { server, gate };
      try {
        return await gate.listen(host, port);
      } catch (err) {
        owned = undefined;
        server.forceShutdown();
        throw err;
      }
    },
    close({ graceMs = 5000 } = {}) {
      closing ??= (async () => {
        const shutdown = new XdsStatusError(StatusCode.UNAVAILABLE, 'server is shutting down');
        owned?.gate.stopAccepting();
        const streams = [...active];
        for (const a of streams) a.drain(shutdown);
        const server = owned?.server;
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
        await owned?.gate.close();
      })();
      return closing;
    },
    setTls(material) {
      if (!tlsMaterial) throw new Error('xDS server was not created with `tls`');
      tlsMaterial = { ...material };
      owned?.gate.setSecureContext(tlsMaterial);
    },
    setMaxStreams(max) {
      maxStreams = max ? max : Infinity;
    },
    get activeStreams() {
      return active.size;
    },
  };
}

function peerOf(call: grpc.ServerDuplexStream<Buffer, ResponseParts>): PeerInfo {
  const cert = call.getAuthContext().sslPeerCertificate;
  const hasCert = cert !== undefined && Object.keys(cert).length > 0;
  return { address: call.getPeer(), ...(hasCert ? { certificate: cert } : {}) };
}
