import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { parseHostPort } from '../../src/shared/host-port.js';
import { LIMIT_DEFAULTS } from '../../src/shared/limits.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createAdminLinks } from './admin-links.js';
import { createAnswers } from './answers.js';
import { createCodebaseFeed } from './codebase-feed.js';
import { closeAfterWrite, serveHttp1, type Http1Request } from './http1-connection.js';
import { closingResponse, responseHead, type Http1Response } from './http1-response.js';
import type { RequestHead } from './http1-parser.js';
import { createInstanceRegistry } from './instances.js';
import { resolveRepoPath, type ResolvedPath } from './paths.js';
import { isInstanceId, readStatusReport } from './status-report.js';
import type { PipyRepoServer, PipyRepoServerOptions, PipyRepoTlsMaterial, SendErrorEvent } from './types.js';

// Pipy opens a new TCP connection per poll and closes it after each sync, so
// idle sockets are worth nothing: drop them quickly and bound slow clients.
const IDLE_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 10_000;
// Pipy's requests carry two or three short headers.
const MAX_HEAD_BYTES = 16 * 1024;
// A mesh-wide change makes every sidecar reconnect at once; Node's default
// accept backlog (511) overflows at a few hundred and the kernel then drops
// SYNs, which clients retry only after 1 s, 3 s, … The kernel caps this at
// net.core.somaxconn (Go's net package listens with that value too).
const LISTEN_BACKLOG = 65_535;

/**
 * Serves Pipy's repo read protocol for the codebases a cache holds (type
 * `fsm.pipy.v1.Codebase`, read through one delta watch, see codebase-feed.ts):
 * `HEAD`/`GET /repo/<name>/` (manifest, `etag` = version, no `Date`),
 * `GET /repo/<name>/<file>`, `POST /repo/<name>/` (status report → 206 when
 * its metrics were read, so Pipy sends only changes next, else 201) and
 * the admin-link WebSocket at `/repo/<name>/<instance-id>`. The list of
 * codebases (`GET /repo`) is never served. With `tls`, every request needs a
 * client certificate from the mesh CA and `tls.authorize` must allow the
 * codebase.
 */
export function createPipyRepoServer(opts: PipyRepoServerOptions): PipyRepoServer {
  const { host, port } = parseHostPort(opts.listen, 'repo listen address');
  const logger = opts.logger ?? silentLogger;
  const limits = {
    maxHeadBytes: MAX_HEAD_BYTES,
    maxBodyBytes: opts.maxStatusBytes ?? LIMIT_DEFAULTS.maxStatusBytes,
    idleTimeoutMs: IDLE_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  };
  const registry = createInstanceRegistry({ ttlMs: opts.instanceTtlMs ?? 60_000, maxInstances: opts.maxInstances ?? LIMIT_DEFAULTS.maxInstances });
  /** Runs an owner's callback; a throw is logged, never breaks serving. */
  const notify = <E>(name: string, callback: ((event: E) => void) | undefined, event: E) => {
    if (!callback) return;
    try {
      callback(event);
    } catch (err) {
      logger.error(`${name} callback failed`, { error: err instanceof Error ? err.message : String(err) });
    }
  };
  const sendFailed = (event: SendErrorEvent) => {
    logger.debug('repo send failed', { ...event });
    notify('onSendError', opts.onSendError, event);
  };
  const codebases = createCodebaseFeed(opts.codebases, logger);
  const links = createAdminLinks({
    codebases,
    logger,
    pingIntervalMs: opts.pingIntervalMs ?? 30_000,
    maxLinksPerCodebase: opts.maxLinksPerCodebase ?? LIMIT_DEFAULTS.maxLinksPerCodebase,
    onLinkChange: (codebase, instanceId, address, linked) => {
      registry.setLinked(codebase, instanceId, address, linked);
      notify('onLinkChange', opts.onLinkChange, { codebase, instanceId, address, linked });
    },
    onReloadResult: (codebase, instanceId, address, error) => {
      if (error) sendFailed({ codebase, kind: 'reload', address, reason: error.message });
      else notify('onReloadSent', opts.onReloadSent, { codebase, instanceId });
    },
  });
  let tlsMaterial: PipyRepoTlsMaterial | undefined = opts.tls && { key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca };
  const answers = createAnswers();
  const sockets = new Set<Socket>();
  /** With TLS, the TCP connections under the TLS sockets, including those still in their handshake. */
  const tcp = new Set<Socket>();
  let server: NetServer | TlsServer | undefined;
  let requests = 0;
  let reloadsSent = 0;
  let droppedConnections = 0;
  let closed = false;

  /** Returns the 403 reason, or undefined when the peer may read the codebase. */
  const denied = (socket: Socket, name: string): string | undefined => {
    if (!opts.tls) return undefined;
    const peer = (socket as TLSSocket).getPeerCertificate?.();
    if (!peer || !peer.subject) return 'client certificate required';
    const verdict = opts.tls.authorize(peer, name);
    if (verdict === true) return undefined;
    return verdict instanceof Error ? verdict.message : 'forbidden';
  };

  const handle = ({ head, body }: Http1Request, socket: Socket): Http1Response => {
    requests++;
    const method = head.method;
    const resolved = resolveRepoPath(pathOf(head), codebases);
    if (!resolved) return text(method, 404, 'not found');
    const reason = denied(socket, resolved.name);
    if (reason !== undefined) return text(method, 403, reason);
    const { codebase, name } = resolved;
    const rest = resolved.rest === '/' ? '' : resolved.rest;
    if (rest === '' && method === 'POST') return receiveStatus(body, socket, resolved);
    if (method !== 'GET' && method !== 'HEAD') return text(method, 405, 'method not allowed', { allow: rest === '' ? 'GET, HEAD, POST' : 'GET, HEAD' });
    const answer = answers.of(codebase, rest);
    if (!answer) return text(method, 404, 'not found');
    if (method === 'HEAD') return { head: answer.head, headTail: answer.headTail };
    // Read while the socket is open (Node keeps it; a destroyed socket can no longer look it up).
    // Not read for polls: a HEAD needs no address, and the lookup is a system call per connection.
    const address = socket.remoteAddress ?? '';
    return {
      head: answer.head,
      headTail: answer.headTail,
      body: answer.body,
      onSent: (err) => {
        if (err) sendFailed({ codebase: name, kind: 'response', address, reason: err.message });
        else if (answer.last) notify('onFetched', opts.onFetched, { codebase: name, version: codebase.version, address });
      },
    };
  };

  const receiveStatus = (bytes: Buffer, socket: Socket, resolved: ResolvedPath): Http1Response => {
    const report = readStatusReport(bytes, LIMIT_DEFAULTS.maxStatusFieldChars);
    if (!report.ok) return text('POST', 400, report.reason);
    const address = socket.remoteAddress ?? '';
    const { record, metricsRead } = registry.report(resolved.name, report.uuid, { address, version: report.version, name: report.name }, report.metrics);
    links.noteReport(resolved.name, report.uuid, address);
    notify('onStatus', opts.onStatus, { codebase: resolved.name, address, body: report.body, record });
    return { head: metricsRead ? PARTIAL : CREATED };
  };

  const upgrade = (head: RequestHead, socket: Socket, rest: Buffer) => {
    requests++;
    const resolved = resolveRepoPath(pathOf(head), codebases);
    const instanceId = resolved?.rest.slice(1) ?? '';
    if (!resolved || !isInstanceId(instanceId)) return refuseUpgrade(socket, 404, 'not found');
    if (denied(socket, resolved.name) !== undefined) return refuseUpgrade(socket, 403, 'forbidden');
    const credential = opts.tls ? (socket as TLSSocket).getPeerCertificate().fingerprint256 : undefined;
    const peer = { codebase: resolved.name, instanceId, address: socket.remoteAddress ?? '', ...(credential ? { credential } : {}) };
    const refusal = links.admit(peer);
    if (refusal) return refuseUpgrade(socket, refusal.status, refusal.reason);
    links.accept(head, socket, rest, peer, resolved.codebase.version);
  };

  const accept = (socket: Socket) => {
    if (closed) return void socket.destroy();
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', (err) => logger.debug('repo connection error', { error: err.message }));
    serveHttp1(socket, { request: handle, upgrade }, limits);
  };

  return {
    start() {
      if (server) return Promise.reject(new Error('pipy repo server already started'));
      // noDelay here sets TCP_NODELAY as the connection is accepted, without a call per socket.
      const s: NetServer | TlsServer = tlsMaterial
        ? createTlsServer({ ...tlsMaterial, noDelay: true, requestCert: true, rejectUnauthorized: true, handshakeTimeout: opts.handshakeTimeoutMs ?? LIMIT_DEFAULTS.handshakeTimeoutMs }, accept)
        : createNetServer({ noDelay: true }, accept);
      s.maxConnections = opts.maxConnections ?? LIMIT_DEFAULTS.repoMaxConnections;
      s.on('drop', () => {
        droppedConnections++;
        logger.debug('repo connection dropped: connection limit reached', { maxConnections: s.maxConnections });
      });
      // Node reports a handshake timeout here but leaves the connection open: it is closed here.
      s.on('tlsClientError', (err: Error, socket: TLSSocket) => {
        logger.debug('repo TLS handshake failed', { error: err.message });
        socket.destroy();
      });
      if (tlsMaterial) {
        // A handshake in progress is not yet a connection `accept` sees; close() must end it too.
        s.on('connection', (raw: Socket) => {
          tcp.add(raw);
          raw.once('close', () => tcp.delete(raw));
        });
      }
      server = s;
      // Every change the cache announces reaches the changed codebases' admin links as `reload`.
      codebases.start((names) => {
        reloadsSent += links.notifyChanged(names);
      });
      return new Promise((resolvePromise, reject) => {
        s.once('error', reject);
        s.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
          s.off('error', reject);
          s.on('error', (err) => logger.error('pipy repo server error', { error: err.message }));
          const a = s.address() as AddressInfo;
          resolvePromise({ host: a.address, port: a.port });
        });
      });
    },
    instances: () => registry.list(),
    setTls(material) {
      if (!tlsMaterial) throw new Error('pipy repo server was not created with `tls`');
      tlsMaterial = { key: material.key, cert: material.cert, ca: material.ca };
      // New handshakes use the new context; established connections keep theirs.
      if (server && 'setSecureContext' in server) server.setSecureContext(tlsMaterial);
    },
    stats: () => ({ requests, openSockets: sockets.size, droppedConnections, openLinks: links.size, reloadsSent, codebases: codebases.size }),
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      codebases.close();
      links.close();
      const s = server;
      for (const socket of [...sockets, ...tcp]) socket.destroy();
      if (!s || !s.listening) return Promise.resolve();
      return new Promise((resolvePromise) => s.close(() => resolvePromise()));
    },
  };
}

const CREATED = responseHead(201, {}, 0);
const PARTIAL = responseHead(206, {}, 0);

/** The request target without its query. */
function pathOf(head: RequestHead): string {
  const q = head.target.indexOf('?');
  return q < 0 ? head.target : head.target.slice(0, q);
}

/** A short plain-text answer; HEAD gets the head alone. */
function text(method: string, status: number, message: string, headers: Record<string, string> = {}): Http1Response {
  const body = Buffer.from(message + '\n');
  const head = responseHead(status, { 'content-type': 'text/plain', ...headers }, body.length);
  return method === 'HEAD' ? { head } : { head, body };
}

function refuseUpgrade(socket: Socket, status: number, reason: string) {
  const res = closingResponse(status, reason);
  socket.write(Buffer.concat([res.head, res.body ?? new Uint8Array(0)]));
  closeAfterWrite(socket, REQUEST_TIMEOUT_MS);
}
