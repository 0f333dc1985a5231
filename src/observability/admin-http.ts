import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseHostPort } from '../shared/host-port.js';
import { LIMIT_DEFAULTS } from '../shared/limits.js';

export { parseHostPort };

/** A route handler's answer. `body` objects are sent as JSON. */
export interface AdminResponse {
  status: number;
  body: unknown;
  contentType?: string;
}

export type AdminHandler = (url: URL, req: IncomingMessage) => AdminResponse | Promise<AdminResponse>;

export interface AdminServerOptions {
  /** `host:port`; port 0 picks a free port. */
  listen: string;
  /** Exact-path GET routes, e.g. `/health/ready`. */
  routes: Record<string, AdminHandler>;
  /** Prefix routes, tried after exact routes: `/debug/proxies/` → handler. */
  prefixRoutes?: Record<string, AdminHandler>;
  /** Open connections (default 256); more are closed as they are accepted. */
  maxConnections?: number;
  /**
   * A request head must arrive within this long of the connection's start or
   * of the previous answer (default 5 s), else 408 and close; idle keep-alive
   * connections are closed after the same time.
   */
  headersTimeoutMs?: number;
}

export interface AdminServer {
  /** Binds the port; resolves with the bound address. */
  start(): Promise<AddressInfo>;
  close(): Promise<void>;
  address(): AddressInfo | undefined;
}

/**
 * A small HTTP server for health, metrics and debug endpoints (GET/HEAD only).
 * Unknown paths are 404 with a JSON body listing the known routes. Its
 * clients (kubelet probes, Prometheus, an operator's curl) send one short GET
 * at a time, so connections are few and short: Node's defaults would let a
 * silent connection stay 60–90 s.
 */
export function createAdminServer(opts: AdminServerOptions): AdminServer {
  const { host, port } = parseHostPort(opts.listen, 'admin listen address');
  let server: Server | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, { status: 405, body: { error: `method ${req.method} not allowed` } }, req.method === 'HEAD');
      return;
    }
    let handler = opts.routes[url.pathname];
    if (!handler) {
      for (const [prefix, h] of Object.entries(opts.prefixRoutes ?? {})) {
        if (url.pathname.startsWith(prefix)) {
          handler = h;
          break;
        }
      }
    }
    if (!handler) {
      send(res, { status: 404, body: { error: `no route ${url.pathname}`, routes: Object.keys(opts.routes).sort() } }, req.method === 'HEAD');
      return;
    }
    try {
      send(res, await handler(url, req), req.method === 'HEAD');
    } catch (err) {
      send(res, { status: 500, body: { error: err instanceof Error ? err.message : String(err) } }, false);
    }
  };

  return {
    start() {
      return new Promise((resolvePromise, reject) => {
        const headersTimeout = opts.headersTimeoutMs ?? LIMIT_DEFAULTS.adminHeadersTimeoutMs;
        const s = createServer(
          {
            headersTimeout,
            // GET and HEAD carry no body: the whole request is its head.
            requestTimeout: headersTimeout,
            keepAliveTimeout: headersTimeout,
            connectionsCheckingInterval: Math.min(1000, headersTimeout),
          },
          (req, res) => void handle(req, res),
        );
        s.maxConnections = opts.maxConnections ?? LIMIT_DEFAULTS.adminMaxConnections;
        s.once('error', reject);
        s.listen(port, host, () => {
          server = s;
          resolvePromise(s.address() as AddressInfo);
        });
      });
    },
    close() {
      return new Promise((resolvePromise) => {
        if (!server) return resolvePromise();
        server.close(() => resolvePromise());
        server.closeAllConnections();
        server = undefined;
      });
    },
    address() {
      return server?.address() as AddressInfo | undefined;
    },
  };
}

function send(res: ServerResponse, r: AdminResponse, headOnly: boolean) {
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body, null, 2) + '\n';
  res.writeHead(r.status, {
    'content-type': r.contentType ?? (typeof r.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json'),
    'content-length': Buffer.byteLength(text),
  });
  res.end(headOnly ? undefined : text);
}
