/**
 * The injector's HTTPS endpoint: `POST /mutate-pod-creation` with an
 * AdmissionReview (FSM's path and port 9090). Served with the controller's
 * certificate from the mesh CA, swapped in for new connections when it is
 * renewed (`setTls`). Bodies are bounded; a wrong content type is 415
 * (E6105), an unreadable review 400 (E6103/E6107/E6112), anything else that
 * fails is answered as a refusal so the API server shows a reason.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { silentLogger, type Logger } from '../shared/logger.js';
import { AdmissionReviewError, parseAdmissionReview } from './admission-review.js';
import type { AdmissionOutcome, Injector } from './injector.js';
import { WEBHOOK_PATH } from './webhook-configuration.js';

/** The API server sends objects up to about 3 MiB; a review wraps one. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface WebhookServerOptions {
  /** `HOST:PORT`. */
  readonly listen: string;
  readonly tls: { readonly key: string; readonly cert: string };
  readonly injector: Injector;
  readonly logger?: Logger;
  /** Called after each answered review (metrics): the outcome, the time to answer, the object's kind and whether the answer allowed it. */
  readonly onReview?: (outcome: AdmissionOutcome, durationMs: number, answer: { readonly kind: string; readonly allowed: boolean }) => void;
  /** Called once each response on the webhook path has been sent (FSM's fsm_http_response_* metrics); `method` in lower case. */
  readonly onResponse?: (response: { readonly method: string; readonly code: number; readonly seconds: number }) => void;
}

export interface WebhookServer {
  /** Binds; resolves with the port. */
  start(): Promise<number>;
  /** New key and certificate for new connections. */
  setTls(tls: { key: string; cert: string }): void;
  close(): Promise<void>;
}

function splitHostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(listen.slice(i + 1)) };
}

export function createWebhookServer(o: WebhookServerOptions): WebhookServer {
  const logger = o.logger ?? silentLogger;
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WEBHOOK_PATH) return send(res, 404, 'not found\n');
    if (req.method !== 'POST') return send(res, 405, 'POST only\n');
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (type !== 'application/json') {
      logger.warn('admission request refused', { code: 'E6105', contentType: type });
      return send(res, 415, `E6105: invalid content type ${type || '(none)'}; expected application/json\n`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return send(res, 413, `E6111: admission request body larger than ${MAX_BODY_BYTES} bytes\n`);
      chunks.push(chunk as Buffer);
    }
    const started = performance.now();
    let request;
    try {
      request = parseAdmissionReview(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      const message = err instanceof AdmissionReviewError ? err.message : String(err);
      logger.warn('admission request refused', { error: message });
      return send(res, 400, `${message}\n`);
    }
    const { out, outcome } = await o.injector.review(request);
    send(res, 200, out);
    o.onReview?.(outcome, performance.now() - started, { kind: request.kind?.kind ?? '', allowed: out.response.allowed });
  }

  const server = https.createServer({ key: o.tls.key, cert: o.tls.cert }, (req, res) => {
    const t0 = performance.now();
    if (o.onResponse && (req.url ?? '').split('?')[0] === WEBHOOK_PATH) {
      const { onResponse } = o;
      res.once('finish', () => onResponse({ method: (req.method ?? '').toLowerCase(), code: res.statusCode, seconds: (performance.now() - t0) / 1000 }));
    }
    handle(req, res).catch((err: unknown) => {
      logger.error('admission request failed', { error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // The API server keeps connections open; a silent one must not pin a socket forever.
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 30_000;

  return {
    start() {
      const { host, port } = splitHostPort(o.listen);
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address();
          resolve(addr && typeof addr === 'object' ? addr.port : port);
        });
      });
    },
    setTls(tls) {
      server.setSecureContext({ key: tls.key, cert: tls.cert });
    },
    async close() {
      await new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
