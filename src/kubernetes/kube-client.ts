/**
 * The one HTTP client every Kubernetes user in this project goes through (the
 * source's list/watch, the CA and workload Secrets, leader election, the
 * injector, the cert-manager issuer): JSON requests against the API server a
 * client-node KubeConfig names, with typed errors and an inactivity timeout
 * on every request.
 *
 * Authentication, TLS and proxies come from `KubeConfig.applyToHTTPSOptions`,
 * called for every request so rotating tokens (in-cluster service account,
 * exec plugins) stay current. The HTTP itself is node:http(s), which lets a
 * watch see every byte: client-node's `Watch` only surfaces whole lines and
 * has no inactivity timeout.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { systemClock, type Clock } from '../shared/backoff.js';
import { InactivityError, KubeApiError } from './errors.js';

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface KubeRequestOptions {
  readonly query?: Query;
  /** Aborting destroys the request; the returned promise rejects. */
  readonly signal?: AbortSignal;
  /**
   * The request fails with InactivityError when no byte (headers or body)
   * arrives for this long. Default: the client's `requestTimeoutMs`.
   */
  readonly inactivityMs?: number;
}

export interface KubeWatchOptions extends KubeRequestOptions {
  /**
   * Gets the complete lines of each chunk (a batch), synchronously; if it
   * throws, the stream is closed and the watch rejects with that error.
   */
  onLines(lines: string[]): void;
}

/** `merge` = RFC 7386, `json` = RFC 6902, `strategic` = Kubernetes' strategic merge patch. */
export type PatchType = 'merge' | 'json' | 'strategic';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/**
 * Contract: every method may be called concurrently; each request is
 * independent (its own connection, closed afterwards). A 2xx answer resolves
 * with the parsed JSON body; anything else rejects with KubeApiError (status
 * and `Status.reason`), InactivityError, or the network error.
 */
export interface KubeClient {
  /** The API server URL, for logs. */
  readonly server: string;
  get<T = unknown>(path: string, options?: KubeRequestOptions): Promise<T>;
  /** POST to a collection path. 409 AlreadyExists when the name is taken. */
  create<T = unknown>(path: string, body: unknown, options?: KubeRequestOptions): Promise<T>;
  /** PUT to an object path. 409 Conflict when `metadata.resourceVersion` is stale. */
  update<T = unknown>(path: string, body: unknown, options?: KubeRequestOptions): Promise<T>;
  patch<T = unknown>(path: string, body: unknown, type: PatchType, options?: KubeRequestOptions): Promise<T>;
  /** DELETE an object; `body` is a DeleteOptions (preconditions, propagationPolicy). */
  delete<T = unknown>(path: string, options?: KubeRequestOptions & { body?: unknown }): Promise<T>;
  /**
   * A streaming GET (`watch=true` is the caller's query). Resolves when the
   * server ends the stream cleanly; an ERROR line is the caller's to decode.
   */
  watch(path: string, options: KubeWatchOptions): Promise<void>;
}

export interface KubeClientOptions {
  readonly kubeConfig: KubeConfig;
  readonly clock?: Clock;
  /** Default inactivity timeout of requests that are not watches; 30 s. */
  readonly requestTimeoutMs?: number;
  /** Sent as `user-agent`; default `fsm-control-plane`. */
  readonly userAgent?: string;
}

type Responder = (res: http.IncomingMessage, done: (err?: unknown) => void, touch: () => void) => void;

export function createKubeClient(options: KubeClientOptions): KubeClient {
  const { kubeConfig } = options;
  const clock = options.clock ?? systemClock;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const userAgent = options.userAgent ?? 'fsm-control-plane';
  const server = kubeConfig.getCurrentCluster()?.server ?? '';

  async function open(method: string, path: string, opts: KubeRequestOptions, body: { text: string; type: string } | undefined, onResponse: Responder): Promise<void> {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const inactivityMs = opts.inactivityMs ?? requestTimeoutMs;
    const reqOpts: https.RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(reqOpts);
    const agent = reqOpts.agent;
    const dropAgent = () => {
      if (agent && typeof agent === 'object' && 'destroy' in agent) agent.destroy();
    };
    if (opts.signal?.aborted) {
      dropAgent();
      throw new Error('aborted');
    }
    const send = url.protocol === 'https:' ? https.request : http.request;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      let timer: unknown;
      const done = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        req.destroy();
        dropAgent();
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve();
      };
      const touch = () => {
        clock.clearTimeout(timer);
        timer = clock.setTimeout(() => done(new InactivityError(inactivityMs)), inactivityMs);
      };
      const headers: http.OutgoingHttpHeaders = { ...(reqOpts.headers as http.OutgoingHttpHeaders | undefined), accept: 'application/json', 'user-agent': userAgent };
      if (body) {
        headers['content-type'] = body.type;
        headers['content-length'] = Buffer.byteLength(body.text);
      }
      const req = send(url, { ...reqOpts, method, headers, ...(opts.signal ? { signal: opts.signal } : {}) });
      req.on('error', done);
      req.on('response', (res) => {
        touch();
        res.on('error', done);
        res.on('close', () => done(res.complete ? undefined : new Error('connection closed by the API server')));
        onResponse(res, done, touch);
      });
      req.end(body?.text);
      touch();
    });
  }

  function readAll(res: http.IncomingMessage, touch: () => void, onBody: (body: string) => void): void {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => {
      touch();
      chunks.push(chunk);
    });
    res.on('end', () => onBody(Buffer.concat(chunks).toString('utf8')));
  }

  async function json<T>(method: string, path: string, opts: KubeRequestOptions = {}, body?: { value: unknown; type: string }): Promise<T> {
    let result: unknown;
    const payload = body ? { text: JSON.stringify(body.value), type: body.type } : undefined;
    await open(method, path, opts, payload, (res, done, touch) => {
      readAll(res, touch, (text) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) return done(failure(status, text));
        try {
          result = text.trim() === '' ? undefined : JSON.parse(text);
          done();
        } catch (err) {
          done(err);
        }
      });
    });
    return result as T;
  }

  const JSON_TYPE = 'application/json';
  return {
    server,
    get: (path, opts) => json('GET', path, opts),
    create: (path, body, opts) => json('POST', path, opts, { value: body, type: JSON_TYPE }),
    update: (path, body, opts) => json('PUT', path, opts, { value: body, type: JSON_TYPE }),
    patch: (path, body, type, opts) => json('PATCH', path, opts, { value: body, type: PATCH_CONTENT_TYPES[type] }),
    delete: (path, opts = {}) => json('DELETE', path, opts, opts.body === undefined ? undefined : { value: opts.body, type: JSON_TYPE }),

    async watch(path, opts) {
      await open('GET', path, opts, undefined, (res, done, touch) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          readAll(res, touch, (text) => done(failure(status, text)));
          return;
        }
        let partial = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          touch();
          const parts = (partial + chunk).split('\n');
          partial = parts.pop() ?? '';
          const lines = parts.filter((l) => l.trim() !== '');
          if (lines.length === 0) return;
          try {
            opts.onLines(lines);
          } catch (err) {
            done(err);
          }
        });
        res.on('end', () => done());
      });
    },
  };
}

/** The KubeApiError of a non-2xx answer, from its `Status` body when it has one. */
function failure(status: number, body: string): KubeApiError {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; reason?: unknown };
    const reason = typeof parsed.reason === 'string' ? parsed.reason : undefined;
    const message = typeof parsed.message === 'string' ? parsed.message : `HTTP ${status}`;
    return new KubeApiError(status, message, reason);
  } catch {
    return new KubeApiError(status, body.trim().slice(0, 200) || `HTTP ${status}`);
  }
}
