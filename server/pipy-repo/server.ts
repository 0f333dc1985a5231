import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { silentLogger } from '../../src/shared/logger.js';
import { createAdminLinks } from './admin-links.js';
import { renderManifest } from './codebase.js';
import { createInstanceRegistry } from './instances.js';
import { resolveRepoPath, type ResolvedPath } from './paths.js';
import type { Codebase, PipyRepoServer, PipyRepoServerOptions, PipyRepoTlsMaterial, SendErrorEvent } from './types.js';

// Pipy opens a new TCP connection per poll and closes it after each sync, so
// idle sockets are worth nothing: drop them quickly and bound slow clients.
const KEEP_ALIVE_TIMEOUT_MS = 2_000;
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const INSTANCE_ID = /^[A-Za-z0-9._-]{1,128}$/;
// A mesh-wide change makes every sidecar reconnect at once; Node's default
// accept backlog (511) overflows at a few hundred and the kernel then drops
// SYNs, which clients retry only after 1 s, 3 s, … The kernel caps this at
// net.core.somaxconn (Go's net package listens with that value too).
const LISTEN_BACKLOG = 65_535;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.yaml': 'text/yaml',
  '.gz': 'application/gzip',
};

/**
 * Serves Pipy's repo read protocol for the codebases a provider holds:
 * `HEAD`/`GET /repo/<name>/` (manifest, `etag` = version, no `Date`),
 * `GET /repo/<name>/<file>`, `POST /repo/<name>/` (status report → 201) and
 * the admin-link WebSocket at `/repo/<name>/<instance-id>`. The list of
 * codebases (`GET /repo`) is never served. With `tls`, every request needs a
 * client certificate from the mesh CA and `tls.authorize` must allow the
 * codebase.
 */
export function createPipyRepoServer(opts: PipyRepoServerOptions): PipyRepoServer {
  const { host, port } = parseListen(opts.listen);
  const logger = opts.logger ?? silentLogger;
  const maxStatusBytes = opts.maxStatusBytes ?? 1024 * 1024;
  const registry = createInstanceRegistry({ ttlMs: opts.instanceTtlMs ?? 60_000 });
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
  const links = createAdminLinks({
    codebases: opts.codebases,
    logger,
    pingIntervalMs: opts.pingIntervalMs ?? 30_000,
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
  const manifests = new WeakMap<Codebase, { bytes: Buffer; last: string }>();
  let server: Server | HttpsServer | undefined;
  let requests = 0;
  let openSockets = 0;
  let reloadsSent = 0;
  let closed = false;

  const manifestOf = (codebase: Codebase) => {
    let m = manifests.get(codebase);
    if (!m) {
      const text = renderManifest(codebase);
      const paths = text.trimEnd().split('\n');
      manifests.set(codebase, (m = { bytes: Buffer.from(text), last: paths[paths.length - 1] ?? codebase.main }));
    }
    return m;
  };

  const fetched = (req: IncomingMessage, name: string, codebase: Codebase) =>
    notify('onFetched', opts.onFetched, { codebase: name, version: codebase.version, address: req.socket.remoteAddress ?? '' });

  /**
   * Reports a response whose connection errored or closed before the whole
   * response was written. (Node still emits 'finish' after a reset, once the
   * destroyed socket's buffer is dropped, so the order of events decides.)
   */
  const watchDelivery = (req: IncomingMessage, res: ServerResponse, codebase: string) => {
    if (!opts.onSendError) return;
    let failure: string | undefined;
    let finished = false;
    const onError = (err: Error) => {
      if (!finished) failure ??= err.message;
    };
    req.socket.once('error', onError);
    res.once('finish', () => (finished = true));
    res.once('close', () => {
      req.socket.off('error', onError);
      if (!finished && res.headersSent) failure ??= 'connection closed before the response was written';
      if (failure !== undefined) sendFailed({ codebase, kind: 'response', address: req.socket.remoteAddress ?? '', reason: failure });
    });
  };

  /** Returns the 403 reason, or undefined when the peer may read the codebase. */
  const denied = (socket: Socket | Duplex, name: string): string | undefined => {
    if (!opts.tls) return undefined;
    const peer = (socket as TLSSocket).getPeerCertificate?.();
    if (!peer || !peer.subject) return 'client certificate required';
    const verdict = opts.tls.authorize(peer, name);
    if (verdict === true) return undefined;
    return verdict instanceof Error ? verdict.message : 'forbidden';
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    res.sendDate = false;
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const resolved = resolveRepoPath(pathname, opts.codebases);
    if (!resolved) return send(res, req, 404, 'not found\n');
    const reason = denied(req.socket, resolved.name);
    if (reason !== undefined) return send(res, req, 403, reason + '\n');
    const { codebase, rest } = resolved;
    watchDelivery(req, res, resolved.name);
    if (rest === '' || rest === '/') {
      if (req.method === 'GET' || req.method === 'HEAD') {
        return send(res, req, 200, manifestOf(codebase).bytes, { etag: codebase.version, 'content-type': 'text/plain' });
      }
      if (req.method === 'POST') return receiveStatus(req, res, resolved);
      return send(res, req, 405, 'method not allowed\n', { allow: 'GET, HEAD, POST' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, req, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    const file = codebase.files.get(rest);
    if (!file) return send(res, req, 404, 'not found\n');
    send(res, req, 200, file, { etag: codebase.version, 'content-type': contentType(rest) });
    if (req.method === 'GET' && rest === manifestOf(codebase).last) fetched(req, resolved.name, codebase);
  };

  const receiveStatus = (req: IncomingMessage, res: ServerResponse, resolved: ResolvedPath) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let rejected = false;
    req.on('data', (chunk: Buffer) => {
      if (rejected) return;
      size += chunk.length;
      if (size > maxStatusBytes) {
        rejected = true;
        send(res, req, 413, 'status report too large\n', { connection: 'close' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (rejected) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(res, req, 400, 'status report is not JSON\n');
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) return send(res, req, 400, 'status report must be a JSON object\n');
      const fields = body as Record<string, unknown>;
      const uuid = fields['uuid'];
      if (typeof uuid !== 'string' || !INSTANCE_ID.test(uuid)) return send(res, req, 400, 'status report needs a "uuid"\n');
      const address = req.socket.remoteAddress ?? '';
      const record = registry.report(resolved.name, uuid, {
        address,
        version: scalar(fields['version']),
        name: scalar(fields['name']),
      });
      send(res, req, 201, '');
      notify('onStatus', opts.onStatus, { codebase: resolved.name, address, body: fields, record });
    });
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    requests++;
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const resolved = resolveRepoPath(pathname, opts.codebases);
    const instanceId = resolved?.rest.slice(1) ?? '';
    if (!resolved || !INSTANCE_ID.test(instanceId)) return refuseUpgrade(socket, 404, 'Not Found');
    if (denied(socket, resolved.name) !== undefined) return refuseUpgrade(socket, 403, 'Forbidden');
    links.accept(req, socket, head, resolved.name, instanceId, resolved.codebase.version);
  };

  return {
    start() {
      if (server) return Promise.reject(new Error('pipy repo server already started'));
      const s = tlsMaterial ? createHttpsServer({ ...tlsMaterial, requestCert: true, rejectUnauthorized: true }, handle) : createHttpServer(handle);
      s.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      s.headersTimeout = HEADERS_TIMEOUT_MS;
      s.requestTimeout = REQUEST_TIMEOUT_MS;
      s.on('upgrade', upgrade);
      s.on('connection', (socket: Socket) => {
        openSockets++;
        socket.once('close', () => openSockets--);
      });
      s.on('tlsClientError', (err) => logger.debug('repo TLS handshake failed', { error: err.message }));
      server = s;
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
    notifyChanged(names) {
      reloadsSent += links.notifyChanged(names);
    },
    instances: () => registry.list(),
    setTls(material) {
      if (!tlsMaterial) throw new Error('pipy repo server was not created with `tls`');
      tlsMaterial = { key: material.key, cert: material.cert, ca: material.ca };
      // New handshakes use the new context; established connections keep theirs.
      if (server && 'setSecureContext' in server) server.setSecureContext(tlsMaterial);
    },
    stats: () => ({ requests, openSockets, openLinks: links.size, reloadsSent }),
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      links.close();
      const s = server;
      if (!s || !s.listening) return Promise.resolve();
      return new Promise((resolvePromise) => {
        s.close(() => resolvePromise());
        s.closeAllConnections();
      });
    },
  };
}

function send(res: ServerResponse, req: IncomingMessage, status: number, body: string | Uint8Array, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    'content-type': 'text/plain',
    ...headers,
    'content-length': String(bytes.length),
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function refuseUpgrade(socket: Duplex, status: number, text: string) {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

function contentType(path: string): string {
  const dot = path.lastIndexOf('.');
  return (dot >= 0 && CONTENT_TYPES[path.slice(dot)]) || 'application/octet-stream';
}

function scalar(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`invalid repo listen address "${value}": expected HOST:PORT`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
