/**
 * The HTTP plumbing the registry stand-ins (Consul, Eureka, Nacos) share:
 * a loopback server on a fixed port once started (so `stop` + `start`
 * is a registry going down and coming back at the same address), every
 * socket tracked and destroyed on `stop`, and faults a test can switch on
 * to play a broken registry:
 *
 * - `error`: every request gets HTTP 500;
 * - `garbage`: every request gets 200 with a body that is not JSON;
 * - `hang`: requests are accepted and never answered (until stop/close or
 *   the fault is cleared, then they are dropped);
 * - `silent`: like hang, for long polls only (the stand-in calls
 *   `holdsLongPolls()` to ask), so the registry looks healthy to short
 *   requests while a watch goes quiet.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type StandInFault = 'none' | 'error' | 'garbage' | 'hang' | 'silent';

export interface StandInRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** True when the response was already abandoned (stop, close, fault change). */
  readonly gone: () => boolean;
}

export interface StandInResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** A string or Buffer is sent as is (a string with an error status as text/plain); anything else as JSON. */
  readonly body?: unknown;
}

export type StandInHandler = (req: StandInRequest) => StandInResponse | Promise<StandInResponse>;

export interface HttpStandIn {
  /** `http://127.0.0.1:<port>`; stable across stop/start. */
  readonly url: string;
  readonly port: number;
  fault: StandInFault;
  /** Requests received (after faults), by `METHOD path`. */
  readonly requests: Map<string, number>;
  start(): Promise<void>;
  /** The registry goes away: listener closed, every connection destroyed. */
  stop(): Promise<void>;
  close(): Promise<void>;
  /** True while the `silent` fault holds long polls. */
  holdsLongPolls(): boolean;
}

/** `onDrop` runs whenever held requests are abandoned (stop, close, a hang cleared), so that long polls release their timers. */
export async function createHttpStandIn(handler: StandInHandler, hooks: { onDrop?: () => void } = {}): Promise<HttpStandIn> {
  const sockets = new Set<Socket>();
  const requests = new Map<string, number>();
  let fault: StandInFault = 'none';
  let server: http.Server | undefined;
  let port = 0;
  let generation = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        const born = generation;
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const url = new URL(req.url ?? '/', 'http://stand-in');
          const key = `${req.method} ${url.pathname}`;
          requests.set(key, (requests.get(key) ?? 0) + 1);
          if (fault === 'hang') return; // the socket is destroyed on stop/close
          if (fault === 'error') return send(res, { status: 500, body: 'stand-in: injected error' });
          if (fault === 'garbage') return send(res, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"this is": not json' });
          const gone = () => born !== generation || res.destroyed || res.writableEnded;
          Promise.resolve(handler({ method: req.method ?? 'GET', url, headers: req.headers, body: Buffer.concat(chunks), gone }))
            .then((r) => {
              if (!gone()) send(res, r);
            })
            .catch((err: unknown) => {
              if (!gone()) send(res, { status: 500, body: String(err) });
            });
        });
      });
      s.keepAliveTimeout = 60_000;
      s.on('connection', (sock: Socket) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });

  function send(res: http.ServerResponse, r: StandInResponse): void {
    const body = r.body === undefined ? '' : typeof r.body === 'string' || Buffer.isBuffer(r.body) ? r.body : JSON.stringify(r.body);
    // Registries send errors as plain text (Consul: text/plain), data as JSON.
    const plain = typeof r.body === 'string' && r.status >= 400;
    const headers: Record<string, string> = { 'content-type': plain ? 'text/plain; charset=utf-8' : 'application/json', ...(r.headers ?? {}) };
    res.writeHead(r.status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  const stop = async () => {
    generation++;
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    hooks.onDrop?.();
    await closed;
  };

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get fault() {
      return fault;
    },
    set fault(f: StandInFault) {
      // Clearing a hang drops what it held: those clients see their connection reset.
      if ((fault === 'hang' || fault === 'silent') && f !== fault) {
        generation++;
        for (const sock of sockets) sock.destroy();
        hooks.onDrop?.();
      }
      fault = f;
    },
    requests,
    async start() {
      if (!server) await listen();
    },
    stop,
    close: stop,
    holdsLongPolls: () => fault === 'silent',
  };
}
