import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from './backoff.js';

/**
 * A non-2xx answer from the API server, with the fields of the `Status`
 * object it carried (when it carried one).
 */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  constructor(status: number, message: string, reason?: string) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
  }
}

/** No byte arrived for the inactivity timeout: the connection is presumed dead. */
export class InactivityError extends Error {
  constructor(ms: number) {
    super(`no data from the API server for ${ms} ms`);
    this.name = 'InactivityError';
  }
}

export interface KubeRequestOptions {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Aborting destroys the request; the returned promise rejects. */
  readonly signal: AbortSignal;
  /** The request fails with InactivityError when no byte (headers or body) arrives for this long. */
  readonly inactivityMs: number;
}

/**
 * GET requests against the API server named by a client-node KubeConfig.
 * Authentication, TLS and proxies come from `KubeConfig.applyToHTTPSOptions`,
 * called for every request so rotating tokens (in-cluster service account,
 * exec plugins) stay current. The HTTP itself is node:http(s), which lets the
 * source see every byte: the client-node `Watch` only surfaces whole lines
 * and has no inactivity timeout.
 */
export interface KubeHttpClient {
  /** The JSON body of a 2xx answer; KubeApiError otherwise. */
  getJson(path: string, options: KubeRequestOptions): Promise<unknown>;
  /**
   * A streaming GET (watch). `onLines` gets the complete lines of each chunk
   * (a batch) synchronously; if it throws, the stream is closed and the
   * promise rejects with that error. Resolves when the server ends the stream.
   */
  stream(path: string, options: KubeRequestOptions & { onLines(lines: string[]): void }): Promise<void>;
}

export function createKubeHttpClient(options: { kubeConfig: KubeConfig; clock: Clock }): KubeHttpClient {
  const { kubeConfig, clock } = options;

  async function open(path: string, opts: KubeRequestOptions, onResponse: (res: http.IncomingMessage, done: (err?: unknown) => void, touch: () => void) => void): Promise<void> {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const reqOpts: https.RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(reqOpts);
    const agent = reqOpts.agent;
    if (opts.signal.aborted) {
      if (agent && typeof agent === 'object' && 'destroy' in agent) agent.destroy();
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
        if (agent && typeof agent === 'object' && 'destroy' in agent) agent.destroy();
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve();
      };
      const touch = () => {
        clock.clearTimeout(timer);
        timer = clock.setTimeout(() => done(new InactivityError(opts.inactivityMs)), opts.inactivityMs);
      };
      const req = send(url, {
        ...reqOpts,
        method: 'GET',
        headers: { ...(reqOpts.headers ?? {}), accept: 'application/json' },
        signal: opts.signal,
      });
      req.on('error', done);
      req.on('response', (res) => {
        touch();
        res.on('error', done);
        res.on('close', () => done(res.complete ? undefined : new Error('connection closed by the API server')));
        onResponse(res, done, touch);
      });
      req.end();
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

  function failure(res: http.IncomingMessage, body: string): KubeApiError {
    const status = res.statusCode ?? 0;
    try {
      const parsed = JSON.parse(body) as { message?: unknown; reason?: unknown };
      const reason = typeof parsed.reason === 'string' ? parsed.reason : undefined;
      const message = typeof parsed.message === 'string' ? parsed.message : `HTTP ${status}`;
      return new KubeApiError(status, message, reason);
    } catch {
      return new KubeApiError(status, body.trim().slice(0, 200) || `HTTP ${status}`);
    }
  }

  return {
    async getJson(path, opts) {
      let result: unknown;
      await open(path, opts, (res, done, touch) => {
        readAll(res, touch, (body) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) return done(failure(res, body));
          try {
            result = JSON.parse(body);
            done();
          } catch (err) {
            done(err);
          }
        });
      });
      return result;
    },

    async stream(path, opts) {
      await open(path, opts, (res, done, touch) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          readAll(res, touch, (body) => done(failure(res, body)));
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
