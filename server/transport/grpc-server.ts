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
  const tls = options.tls ? createUpdatableCredentials(options.tls) : undefined;
  const limits = {
    maxQueuedBytesPerStream: options.limits?.maxQueuedBytesPerStream ?? DEFAULT_MAX_QUEUED_BYTES,
    sendTimeoutMs: options.limits?.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
  };
  let maxStreams = options.limits?.maxStreams ?? Infinity;
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
        ? adaptCall({ ...common, decode: decodeDiscoveryRequest, createStream: (t) => createSotwStream(base(t)) })
        : adaptCall({ ...common, decode: decodeDeltaDiscoveryRequest, createStream: (t) => createDeltaStream(base(t)) });
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
      const creds = tls?.credentials ?? options.credentials ?? grpc.ServerCredentials.createInsecure();
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
    setTls(material) {
      if (!tls) throw new Error('xDS server was not created with `tls`');
      tls.update(material);
    },
    setMaxStreams(max) {
      maxStreams = max ? max : Infinity;
    },
    get activeStreams() {
      return active.size;
    },
  };
}

/**
 * Server credentials fed by a certificate provider of our own, so that new
 * material reaches grpc-js's `setSecureContext` without rebinding the port.
 */
function createUpdatableCredentials(initial: XdsTlsMaterial): { credentials: grpc.ServerCredentials; update(material: XdsTlsMaterial): void } {
  type CaListener = grpc.experimental.CaCertificateUpdateListener;
  type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;
  const toCa = (m: XdsTlsMaterial) => ({ caCertificate: Buffer.from(m.ca) });
  const toIdentity = (m: XdsTlsMaterial) => ({ certificate: Buffer.from(m.cert), privateKey: Buffer.from(m.key) });
  let ca = toCa(initial);
  let identity = toIdentity(initial);
  const caListeners = new Set<CaListener>();
  const identityListeners = new Set<IdentityListener>();
  // grpc-js subscribes to the provider before it registers the server's own
  // watcher, so an update delivered synchronously would be lost and every
  // connection refused: the current material is delivered on a microtask.
  const provider: grpc.experimental.CertificateProvider = {
    addCaCertificateListener(listener) {
      caListeners.add(listener);
      queueMicrotask(() => caListeners.has(listener) && listener(ca));
    },
    removeCaCertificateListener: (listener) => void caListeners.delete(listener),
    addIdentityCertificateListener(listener) {
      identityListeners.add(listener);
      queueMicrotask(() => identityListeners.has(listener) && listener(identity));
    },
    removeIdentityCertificateListener: (listener) => void identityListeners.delete(listener),
  };
  return {
    // One provider serves both roles: grpc-js 1.14.7's declared parameter
    // names (ca, identity) are the reverse of how it uses them.
    credentials: grpc.experimental.createCertificateProviderServerCredentials(provider, provider, true),
    update(material) {
      ca = toCa(material);
      identity = toIdentity(material);
      for (const l of caListeners) l(ca);
      for (const l of identityListeners) l(identity);
    },
  };
}

function peerOf(call: grpc.ServerDuplexStream<Buffer, Buffer>): PeerInfo {
  const cert = call.getAuthContext().sslPeerCertificate;
  const hasCert = cert !== undefined && Object.keys(cert).length > 0;
  return { address: call.getPeer(), ...(hasCert ? { certificate: cert } : {}) };
}
