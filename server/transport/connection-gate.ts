import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from '../../src/shared/logger.js';

/** PEM key material for mutual TLS terminated at the gate. */
export interface GateTlsMaterial {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  /** Roots that client certificates must chain to. */
  readonly ca: string | Buffer;
}

export interface ConnectionGateOptions {
  /** Open TCP connections at most; more are closed as they are accepted. */
  readonly maxConnections: number;
  /**
   * A connection must finish its TLS handshake (with `tls`) within this long,
   * and then send the HTTP/2 client preface within this long, or it is closed.
   */
  readonly handshakeTimeoutMs: number;
  /**
   * `preface`: hand a connection over once it sent the HTTP/2 client preface
   * (left unread for the HTTP/2 server). `none`: hand it over at once (the
   * connection's bytes are TLS the gate does not terminate).
   */
  readonly check: 'preface' | 'none';
  /** Mutual TLS (client certificates required), `h2` by ALPN, terminated here. */
  readonly tls?: GateTlsMaterial;
  /** Receives each connection that passed the gate. */
  readonly onConnection: (socket: Socket) => void;
  readonly logger: Logger;
}

export interface ConnectionGateStats {
  /** Connections open now, handed over or not. */
  readonly open: number;
  /** Connections closed on accept because `maxConnections` were open. */
  readonly dropped: number;
  /** Connections closed for not finishing the handshake or preface in time, or for sending something else. */
  readonly refused: number;
}

/**
 * The listening socket in front of an HTTP/2 server that does not bound its
 * connections itself (grpc-js's): it counts connections and closes those that
 * do not show they speak HTTP/2 (and, with TLS, finish the handshake) within
 * a deadline, so idle sockets cannot pile up until the process runs out of
 * descriptors. Only the first 24 bytes of a connection are looked at; after
 * the hand-over the HTTP/2 server reads the socket directly.
 */
export interface ConnectionGate {
  /** Binds `host:port`; resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Replaces the TLS material for new connections (with `tls` only). */
  setSecureContext(material: GateTlsMaterial): void;
  /** Stops accepting and closes every connection still open. */
  close(): Promise<void>;
  stats(): ConnectionGateStats;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export function createConnectionGate(opts: ConnectionGateOptions): ConnectionGate {
  const sockets = new Set<Socket>();
  let dropped = 0;
  let refused = 0;
  let server: NetServer | TlsServer | undefined;
  let material = opts.tls && { ...opts.tls };

  const refuse = (socket: Socket, why: string) => {
    refused++;
    opts.logger.debug('xDS connection refused', { address: socket.remoteAddress, reason: why });
    socket.destroy();
  };

  /** Reads the preface, then hands the socket over with those bytes put back. */
  const awaitPreface = (socket: Socket) => {
    let got: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => refuse(socket, 'no HTTP/2 preface in time'), opts.handshakeTimeoutMs);
    const stop = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', stop);
    };
    const onData = (chunk: Buffer) => {
      got = got.length === 0 ? chunk : Buffer.concat([got, chunk]);
      const n = Math.min(got.length, PREFACE.length);
      if (got.compare(PREFACE, 0, n, 0, n) !== 0) {
        stop();
        return refuse(socket, 'not an HTTP/2 connection');
      }
      if (got.length < PREFACE.length) return;
      stop();
      socket.pause();
      // Node's HTTP/2 session reads what is already buffered on the socket before its handle.
      socket.unshift(got);
      opts.onConnection(socket);
    };
    socket.on('data', onData);
    socket.once('close', stop);
  };

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', (err) => opts.logger.debug('xDS connection error', { error: err.message }));
  };

  const pass = (socket: Socket) => (opts.check === 'preface' ? awaitPreface(socket) : opts.onConnection(socket));

  return {
    listen(host, port) {
      if (server) return Promise.reject(new Error('connection gate already listening'));
      const s: NetServer | TlsServer = material
        ? createTlsServer(
            { ...material, requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'], handshakeTimeout: opts.handshakeTimeoutMs },
            (socket: TLSSocket) => pass(socket),
          )
        : createNetServer((socket) => {
            track(socket);
            pass(socket);
          });
      if (material) {
        s.on('connection', track);
        // Node reports a failed or timed-out handshake here but leaves the connection open.
        s.on('tlsClientError', (err: Error, socket: TLSSocket) => {
          refused++;
          opts.logger.debug('xDS TLS handshake failed', { error: err.message });
          socket.destroy();
        });
      }
      s.maxConnections = opts.maxConnections;
      s.on('drop', () => {
        dropped++;
        opts.logger.debug('xDS connection dropped: connection limit reached', { maxConnections: opts.maxConnections });
      });
      server = s;
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen({ host, port }, () => {
          s.off('error', reject);
          s.on('error', (err) => opts.logger.error('xDS listener error', { error: err.message }));
          resolve((s.address() as AddressInfo).port);
        });
      });
    },
    setSecureContext(next) {
      if (!material) throw new Error('connection gate was not created with `tls`');
      material = { ...next };
      (server as TlsServer | undefined)?.setSecureContext(material);
    },
    close() {
      const s = server;
      for (const socket of sockets) socket.destroy();
      if (!s?.listening) return Promise.resolve();
      return new Promise((resolve) => s.close(() => resolve()));
    },
    stats: () => ({ open: sockets.size, dropped, refused }),
  };
}
