import t, { type Test } from 'tap';
import { connect, type Socket } from 'node:net';
import { responseHead } from '../../../server/pipy-repo/http1-response.js';
import { type Http1Handlers, type Http1Limits } from '../../../server/pipy-repo/http1-connection.js';
import { waitFor } from '../../support/wait-for.js';
import { serveHttp1OnLoopback } from './fixtures/http1-loopback.js';

// Generous timeouts: nothing below may be explained by a timer firing, except where a test says so.
const LIMITS: Http1Limits = { maxHeadBytes: 1024, maxBodyBytes: 64, idleTimeoutMs: 5_000, requestTimeoutMs: 5_000 };

/** A loopback server answering each request with `bodies[target]` or its target; counts its open connections. */
async function serve(t: Test, limits = LIMITS, bodies: Record<string, Uint8Array> = {}) {
  const h = { port: 0, open: new Set<Socket>(), answered: 0 };
  const handlers: Http1Handlers = {
    request(req) {
      h.answered++;
      const body = bodies[req.head.target] ?? Buffer.from(req.head.target);
      const head = responseHead(200, {}, body.length);
      return req.head.method === 'HEAD' ? { head } : { head, body };
    },
    upgrade(_head, socket) {
      socket.destroy();
    },
  };
  const loopback = await serveHttp1OnLoopback(t, handlers, limits);
  h.port = loopback.port;
  h.open = loopback.open;
  return h;
}

t.test('a connection the server closes is released even when the peer keeps its side open', async (t) => {
  // Short timeouts: the server must not rely on the peer's FIN, only on its own timers.
  const h = await serve(t, { ...LIMITS, idleTimeoutMs: 100, requestTimeoutMs: 200 });
  const requests = ['GET /x HTTP/1.1\r\nhost: h\r\nconnection: close\r\n\r\n', 'GET /x HTTP/1.0\r\n\r\n', 'BAD\r\n\r\n', 'GET /x HTTP/1.1\r\n\r\n'];
  for (const request of requests) {
    // allowHalfOpen: a peer that does not answer the server's FIN with its own.
    const c = connect({ port: h.port, host: '127.0.0.1', allowHalfOpen: true });
    t.teardown(() => c.destroy());
    c.on('error', () => undefined);
    let text = '';
    c.on('data', (d: Buffer) => (text += d.toString('latin1')));
    c.write(request);
    await waitFor('the answer', () => /\r\n\r\n/.test(text));
    await waitFor(`the server releases the connection of ${JSON.stringify(request)}`, () => h.open.size === 0);
    t.equal(h.open.size, 0);
  }
});

t.test('a closing answer to a peer that reads none of it does not hold the connection', async (t) => {
  const h = await serve(t, { ...LIMITS, idleTimeoutMs: 100, requestTimeoutMs: 200 }, { '/big': new Uint8Array(32 * 1024 * 1024) });
  const deaf = connect({ port: h.port, host: '127.0.0.1', allowHalfOpen: true });
  t.teardown(() => deaf.destroy());
  deaf.on('error', () => undefined);
  deaf.pause();
  deaf.write('GET /big HTTP/1.1\r\nhost: h\r\nconnection: close\r\n\r\n');
  await waitFor('the request', () => h.answered === 1);
  await waitFor('the server drops the connection', () => h.open.size === 0);
  t.equal(h.open.size, 0);
});

t.test('pipelined requests followed by the peer half-closing are all answered, then the connection closes', async (t) => {
  const big = new Uint8Array(1024 * 1024).fill(0x61);
  const h = await serve(t, LIMITS, { '/big': big });
  const c = connect({ port: h.port, host: '127.0.0.1', allowHalfOpen: true });
  t.teardown(() => c.destroy());
  c.on('error', () => undefined);
  let received = 0;
  let ended = false;
  c.on('data', (d: Buffer) => (received += d.length));
  c.on('end', () => (ended = true));
  c.pause();
  // The answers back up while the peer does not read, so the server is still answering when the FIN arrives.
  c.end('GET /big HTTP/1.1\r\nhost: h\r\n\r\n'.repeat(20));
  await waitFor('the first answer', () => h.answered > 0);
  await new Promise((r) => setTimeout(r, 100));
  c.resume();
  await waitFor('the server ends the connection', () => ended);
  t.equal(h.answered, 20, 'every request answered');
  t.ok(received > 20 * big.length, `${received} bytes received`);
});

t.test('random bytes never crash the server: each connection ends closed or with an answer', async (t) => {
  const h = await serve(t, { ...LIMITS, idleTimeoutMs: 200, requestTimeoutMs: 300 });
  let seed = 7;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const pieces = ['GET / HTTP/1.1\r\n', 'host: h\r\n', 'content-length: 3\r\n', 'upgrade: x\r\nconnection: upgrade\r\n', '\r\n', '\n', '\0', ':', ' '];
  for (let i = 0; i < 40; i++) {
    let bytes = '';
    while (bytes.length < 200 * random()) {
      bytes += random() < 0.5 ? (pieces[Math.floor(random() * pieces.length)] ?? '') : String.fromCharCode(Math.floor(random() * 256));
    }
    const c = connect(h.port, '127.0.0.1');
    t.teardown(() => c.destroy());
    c.on('error', () => undefined);
    let text = '';
    let closed = false;
    c.on('data', (d: Buffer) => (text += d.toString('latin1')));
    c.on('close', () => (closed = true));
    c.write(Buffer.from(bytes, 'latin1'));
    await waitFor(`the server ends or answers ${JSON.stringify(bytes)}`, () => closed || /^HTTP\/1\.1 \d{3} /.test(text));
    t.ok(closed || /^HTTP\/1\.1 \d{3} /.test(text), JSON.stringify(bytes).slice(0, 60));
  }
  await waitFor('every connection released', () => h.open.size === 0);
});
