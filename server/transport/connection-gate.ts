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
   * `preface`: close a connection whose client preface has not been read by
   * the deadline. `none`: no deadline (the connection's bytes are TLS the
   * gate does not terminate).
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
  /** Connections closed for not finishing the handshake or preface in time. */
  readonly refused: number;
}

/**
 * The listening socket in front of an HTTP/2 server that does not bound its
 * connections itself (grpc-js's): it counts connections and closes those that
 * do not finish the TLS handshake and send the HTTP/2 preface within a
 * deadline, so silent sockets cannot pile up until the process runs out of
 * descriptors. It never reads the connection's bytes: the HTTP/2 server does,
 * from the moment of the hand-over.
 */
export interface ConnectionGate {
  /** Binds `host:port`; resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Replaces the TLS material for new connections (with `tls` only). */
  setSecureContext(material: GateTlsMaterial): void;
  /** Stops accepting new connections; open ones are left to their owner. */
  stopAccepting(): void;
  /** Stops accepting and closes every connection still open. */
  close(): Promise<void>;
  stats(): ConnectionGateStats;
}

/** Length of the HTTP/2 client preface, `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`. */
const PREFACE_BYTES = 24;

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

  /**
   * Hands the socket over at once and closes it if the HTTP/2 server has not
   * read a preface's worth of bytes by the deadline: the server reads the
   * socket's handle directly, and `bytesRead` counts what it took (decrypted,
   * with TLS). A wrong preface is the HTTP/2 server's to refuse.
   */
  const handOver = (socket: Socket) => {
    opts.onConnection(socket);
    const timer = setTimeout(() => {
      if (socket.bytesRead < PREFACE_BYTES) refuse(socket, 'no HTTP/2 preface in time');
    }, opts.handshakeTimeoutMs);
    socket.once('close', () => clearTimeout(timer));
  };

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', (err) => opts.logger.debug('xDS connection error', { error: err.message }));
  };

  const pass = (socket: Socket) => (opts.check === 'preface' ? handOver(socket) : opts.onConnection(socket));

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
    stopAccepting() {
      if (server?.listening) server.close();
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
