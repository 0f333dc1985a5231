/**
 * A small HTTP(S) client for talking to service registries: one keep-alive
 * agent per client (closed by `close`), a deadline per request, a cap on
 * the bytes of an answer (checked against Content-Length first, then while
 * reading) and an abort signal. Streams (etcd watches) get an inactivity
 * deadline instead of a total one. Failures are `HttpRequestError`s saying
 * which kind of failure it was, so callers can map them to their own codes.
 */
import http from 'node:http';
import https from 'node:https';

export type HttpFailure = 'unreachable' | 'timeout' | 'too-large' | 'aborted';

export class HttpRequestError extends Error {
  constructor(
    readonly failure: HttpFailure,
    message: string,
  ) {
    super(message);
    this.name = 'HttpRequestError';
  }
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpRequest {
  readonly method?: string;
  /** Path below the client's base URL, e.g. `/v1/catalog/services`. */
  readonly path: string;
  /** Query parameters; undefined values are left out, arrays repeat the key. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined | readonly string[]>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  readonly body?: unknown;
  /** The whole exchange must finish within this (for a blocking query: its wait plus a margin). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface HttpStreamRequest extends Omit<HttpRequest, 'timeoutMs'> {
  /** Abort when no byte arrived for this long (headers included). */
  readonly inactivityMs: number;
  /** Called with each chunk of a 2xx body; errors thrown here end the stream with that error. */
  readonly onData: (chunk: Buffer) => void;
}

export interface HttpClient {
  readonly baseUrl: URL;
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Resolves when the server ends a 2xx stream; a non-2xx answer resolves with its (capped) body instead. */
  stream(req: HttpStreamRequest): Promise<HttpResponse>;
  /** Destroys the agent's sockets; requests in flight fail as aborted. */
  close(): void;
}

export interface HttpClientOptions {
  /** `http://host:port[/base]` or `https://…`; the path prefix is kept in front of every request path. */
  readonly baseUrl: string | URL;
  /** Largest answer body accepted, in bytes. */
  readonly maxBytes: number;
  /** Headers sent with every request (credentials). */
  readonly headers?: Readonly<Record<string, string>>;
  /** TLS options for https (CA bundle, client certificate). */
  readonly tls?: Pick<https.AgentOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
}

function queryString(query: HttpRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v as readonly string[]) params.append(k, item);
    else params.append(k, String(v));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const baseUrl = new URL(options.baseUrl);
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') {
    throw new Error(`unsupported URL scheme "${baseUrl.protocol}" (http: or https:)`);
  }
  const secure = baseUrl.protocol === 'https:';
  const agent = secure
    ? new https.Agent({ keepAlive: true, ...(options.tls ?? {}) })
    : new http.Agent({ keepAlive: true });
  const prefix = baseUrl.pathname.replace(/\/+$/, '');
  const credentials: Record<string, string> =
    baseUrl.username || baseUrl.password
      ? { authorization: `Basic ${Buffer.from(`${decodeURIComponent(baseUrl.username)}:${decodeURIComponent(baseUrl.password)}`).toString('base64')}` }
      : {};
  let closed = false;

  function open(req: HttpRequest | HttpStreamRequest, onResponse: (res: http.IncomingMessage) => void, fail: (err: Error) => void): http.ClientRequest {
    let payload: Buffer | undefined;
    const headers: Record<string, string> = { accept: 'application/json', ...credentials, ...(options.headers ?? {}), ...(req.headers ?? {}) };
    if (req.body !== undefined) {
      payload = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
      headers['content-length'] = String(payload.length);
      if (typeof req.body !== 'string' && !Buffer.isBuffer(req.body)) headers['content-type'] ??= 'application/json';
    }
    const r = (secure ? https : http).request(
      {
        protocol: baseUrl.protocol,
        hostname: baseUrl.hostname.replace(/^\[|\]$/g, ''),
        port: baseUrl.port || (secure ? 443 : 80),
        method: req.method ?? 'GET',
        path: `${prefix}${req.path}${queryString(req.query)}`,
        headers,
        agent,
      },
      onResponse,
    );
    r.on('error', fail);
    if (payload) r.end(payload);
    else r.end();
    return r;
  }

  /** Reads a body up to maxBytes; `onData` (streams) sees chunks instead of collecting them. */
  function consume(
    res: http.IncomingMessage,
    onData: ((chunk: Buffer) => void) | undefined,
    touch: () => void,
    done: (body: Buffer) => void,
    fail: (err: Error) => void,
  ): void {
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      res.destroy();
      fail(new HttpRequestError('too-large', `answer of ${declared} bytes is larger than the limit of ${options.maxBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      touch();
      if (onData) {
        try {
          onData(chunk);
        } catch (err) {
          res.destroy();
          fail(err instanceof Error ? err : new Error(String(err)));
        }
        return;
      }
      size += chunk.length;
      if (size > options.maxBytes) {
        res.destroy();
        fail(new HttpRequestError('too-large', `answer larger than the limit of ${options.maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => done(Buffer.concat(chunks)));
    res.on('error', fail);
    res.on('aborted', () => fail(new HttpRequestError('unreachable', 'connection closed before the answer was complete')));
  }

  function exchange(req: HttpRequest | HttpStreamRequest, streaming: boolean): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      if (closed) return reject(new HttpRequestError('aborted', 'client closed'));
      if (req.signal?.aborted) return reject(new HttpRequestError('aborted', 'aborted'));
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let request: http.ClientRequest | undefined;
      const finish = (err: Error | undefined, value?: HttpResponse) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        if (err) {
          request?.destroy();
          reject(err);
        } else resolve(value as HttpResponse);
      };
      const onAbort = () => finish(new HttpRequestError('aborted', 'aborted'));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const limitMs = streaming ? (req as HttpStreamRequest).inactivityMs : (req as HttpRequest).timeoutMs;
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(
          () => finish(new HttpRequestError('timeout', streaming ? `no data for ${limitMs} ms` : `no complete answer within ${limitMs} ms`)),
          limitMs,
        );
      };
      arm();
      const touch = streaming ? arm : () => undefined;
      const fail = (err: Error) => {
        if (settled) return;
        if (err instanceof HttpRequestError) return finish(err);
        finish(new HttpRequestError(closed ? 'aborted' : 'unreachable', err.message || String(err)));
      };
      request = open(
        req,
        (res) => {
          touch();
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          consume(res, streaming && ok ? (req as HttpStreamRequest).onData : undefined, touch, (body) => finish(undefined, { status, headers: res.headers, body }), fail);
        },
        fail,
      );
    });
  }

  return {
    baseUrl,
    request: (req) => exchange(req, false),
    stream: (req) => exchange(req, true),
    close() {
      closed = true;
      agent.destroy();
    },
  };
}
