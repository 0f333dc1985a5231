import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import WebSocket from 'ws';

/**
 * A client that behaves like Pipy 1.5.14 fetching an http(s) codebase
 * (fsm-compat §1.6): initial GET of the codebase path (retried every
 * interval until it works), manifest parse (first line = main), GET of every
 * file relative to the codebase base path (any status but 200, 404
 * included, fails the whole load, which is retried next interval: seen with
 * Pipy 1.5.14, although fsm-compat §1.6 reads 404 as skipped); every interval a
 * HEAD compared on `etag` AND `last-modified`, as Pipy 1.5.14's codebase.cpp
 * does (a difference re-downloads everything
 * and counts a reload), a status POST, and an admin-link WebSocket at
 * `<path><instance-id>` (re-attempted every interval) whose `reload` text
 * frame forces a re-download. Every HTTP request uses a new TCP connection.
 */
export interface PipyFetcherOptions {
  /** The codebase URL Pipy is started with, ending with `/`, e.g. `http://h:6060/repo/fsm-sidecar/<cn>/`. */
  url: string;
  /** Poll, status and reconnect period (Pipy: 5000 ms). */
  intervalMs?: number;
  instanceId?: string;
  /** Client certificate and trust for https URLs (Pipy's --tls-cert/--tls-key/--tls-trusted). */
  tls?: { key: string | Buffer; cert: string | Buffer; ca: string | Buffer; servername?: string };
  /** Open the admin-link WebSocket (default true). */
  adminLink?: boolean;
  /** Send status reports (default true). */
  statusReports?: boolean;
  /** Per-request timeout (default 10 s). */
  requestTimeoutMs?: number;
}

export interface HeadResult {
  status: number;
  etag: string | undefined;
  lastModified: string | undefined;
}

export interface PipyFetcher {
  readonly instanceId: string;
  /** Resolves after the first successful load (it retries every interval until then). */
  start(): Promise<void>;
  /** Files of the last successful load, `/`-prefixed path to bytes. */
  readonly files: ReadonlyMap<string, Buffer>;
  readonly main: string;
  /** The `etag` of the last load. */
  readonly version: string;
  /** Successful loads, including the first. */
  readonly loads: number;
  /** Loads after the first: what Pipy would count as worker reloads. */
  readonly reloads: number;
  /** HEAD polls completed, and the last one's result. */
  readonly polls: number;
  readonly lastHead: HeadResult | undefined;
  /** Status reports answered, and the last status code. */
  readonly reportsSent: number;
  readonly lastReportStatus: number;
  readonly linked: boolean;
  /** Failed syncs (network errors, timeouts, non-200 answers) and the last one's message; Pipy only logs these. */
  readonly errors: number;
  readonly lastError: string | undefined;
  /** Resolves at the next successful load after the call; rejects after `timeoutMs`. */
  nextLoad(timeoutMs?: number): Promise<void>;
  /** Resolves once `n` HEAD polls have completed in total. */
  pollsReached(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function createPipyFetcher(opts: PipyFetcherOptions): PipyFetcher {
  const url = new URL(opts.url);
  if (!url.pathname.endsWith('/')) throw new Error('the codebase URL must end with "/"');
  const intervalMs = opts.intervalMs ?? 5000;
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const instanceId = opts.instanceId ?? randomUUID();
  // Pipy's m_base: the path up to its last "/"; file paths are appended to it.
  const basePath = url.pathname.slice(0, url.pathname.lastIndexOf('/'));
  const since = Date.now();
  const secure = url.protocol === 'https:';

  let files = new Map<string, Buffer>();
  let main = '';
  let version = '';
  let lastEtag: string | undefined;
  let lastModified: string | undefined;
  let downloaded = false;
  let busy = false;
  let forcePending = false;
  let loads = 0;
  let polls = 0;
  let lastHead: HeadResult | undefined;
  let reportsSent = 0;
  let lastReportStatus = 0;
  let ws: WebSocket | undefined;
  let linked = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let errors = 0;
  let lastError: string | undefined;
  const fail = (message: string) => {
    errors++;
    lastError = message;
  };
  const loadWaiters = new Set<() => void>();
  const pollWaiters = new Set<() => void>();

  const send = (method: string, path: string, body?: Buffer): Promise<Reply> =>
    new Promise((resolvePromise, reject) => {
      const options = {
        method,
        host: url.hostname,
        port: url.port,
        path,
        agent: false as const,
        timeout: timeoutMs,
        headers: body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {},
        ...(opts.tls ?? {}),
      };
      const req = (secure ? httpsRequest : httpRequest)(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });

  const download = async (): Promise<boolean> => {
    const manifest = await send('GET', url.pathname);
    if (manifest.status !== 200) {
      fail(`GET ${url.pathname}: ${manifest.status}`);
      return false;
    }
    const text = manifest.body.toString('utf8');
    // Pipy: a body starting with "/" (not "//" or "/*") is a manifest; otherwise a single script.
    const isManifest = text.startsWith('/') && text[1] !== '/' && text[1] !== '*';
    const next = new Map<string, Buffer>();
    let entry = '';
    if (isManifest) {
      const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
      entry = lines[0] ?? '';
      for (const line of lines) {
        const file = await send('GET', basePath + line);
        if (file.status !== 200) {
          fail(`GET ${basePath + line}: ${file.status}`);
          return false;
        }
        next.set(line, file.body);
      }
    } else {
      entry = '/';
      next.set('/', manifest.body);
    }
    files = next;
    main = entry;
    version = header(manifest.headers, 'etag') ?? '';
    lastEtag = header(manifest.headers, 'etag');
    lastModified = header(manifest.headers, 'last-modified');
    downloaded = true;
    loads++;
    for (const w of [...loadWaiters]) w();
    return true;
  };

  const sync = async (force: boolean) => {
    if (busy) {
      forcePending ||= force;
      return;
    }
    busy = true;
    try {
      if (force || !downloaded) {
        await download();
        return;
      }
      const head = await send('HEAD', url.pathname);
      polls++;
      lastHead = { status: head.status, etag: header(head.headers, 'etag'), lastModified: header(head.headers, 'last-modified') };
      for (const w of [...pollWaiters]) w();
      if (head.status !== 200) return fail(`HEAD ${url.pathname}: ${head.status}`);
      if (lastHead.etag !== lastEtag || lastHead.lastModified !== lastModified) await download();
    } catch (err) {
      // Like Pipy: a failed sync keeps the current files and tries again next interval.
      fail(err instanceof Error ? err.message : String(err));
    } finally {
      busy = false;
      if (forcePending && !closed) {
        forcePending = false;
        void sync(true);
      }
    }
  };

  const report = async () => {
    const body = Buffer.from(
      JSON.stringify({ timestamp: Date.now(), since, uuid: instanceId, name: 'pipy-fetcher', ip: '127.0.0.1', version, modules: {}, logs: [] }),
    );
    try {
      const res = await send('POST', url.pathname, body);
      lastReportStatus = res.status;
      reportsSent++;
    } catch {
      lastReportStatus = 0;
    }
  };

  const connectLink = () => {
    if (ws || closed) return;
    const wsUrl = `${secure ? 'wss' : 'ws'}://${url.host}${url.pathname}${instanceId}`;
    const socket = new WebSocket(wsUrl, { perMessageDeflate: false, handshakeTimeout: timeoutMs, ...(opts.tls ?? {}) });
    ws = socket;
    socket.on('open', () => {
      linked = true;
    });
    socket.on('message', (data, isBinary) => {
      if (!isBinary && data.toString() === 'reload') void sync(true);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      linked = false;
      if (ws === socket) ws = undefined;
    });
  };

  const tick = () => {
    void sync(false);
    if (downloaded) {
      if (opts.statusReports !== false) void report();
      if (opts.adminLink !== false) connectLink();
    }
  };

  const waitFor = (set: Set<() => void>, done: () => boolean, ms: number, what: string) =>
    new Promise<void>((resolvePromise, reject) => {
      if (done()) return resolvePromise();
      const check = () => {
        if (!done()) return;
        clearTimeout(t);
        set.delete(check);
        resolvePromise();
      };
      const t = setTimeout(() => {
        set.delete(check);
        reject(new Error(`${what} did not happen within ${ms} ms`));
      }, ms);
      set.add(check);
    });

  return {
    instanceId,
    async start() {
      if (timer) throw new Error('fetcher already started');
      timer = setInterval(tick, intervalMs);
      const first = waitFor(loadWaiters, () => loads > 0, 60_000, 'the initial load');
      tick();
      await first;
      if (opts.adminLink !== false) connectLink();
    },
    get files() {
      return files;
    },
    get main() {
      return main;
    },
    get version() {
      return version;
    },
    get loads() {
      return loads;
    },
    get reloads() {
      return Math.max(0, loads - 1);
    },
    get polls() {
      return polls;
    },
    get lastHead() {
      return lastHead;
    },
    get reportsSent() {
      return reportsSent;
    },
    get lastReportStatus() {
      return lastReportStatus;
    },
    get linked() {
      return linked;
    },
    get errors() {
      return errors;
    },
    get lastError() {
      return lastError;
    },
    nextLoad(ms = 10_000) {
      const target = loads + 1;
      return waitFor(loadWaiters, () => loads >= target, ms, 'the next load');
    },
    pollsReached(n, ms = 10_000) {
      return waitFor(pollWaiters, () => polls >= n, ms, `${n} polls`);
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      const socket = ws;
      if (socket && socket.readyState !== WebSocket.CLOSED) {
        await new Promise<void>((resolvePromise) => {
          socket.once('close', () => resolvePromise());
          socket.terminate();
        });
      }
    },
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
