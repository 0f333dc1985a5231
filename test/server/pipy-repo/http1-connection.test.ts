import t, { type Test } from 'tap';
import { connect, type Socket } from 'node:net';
import { responseHead } from '../../../server/pipy-repo/http1-response.js';
import { type Http1Handlers, type Http1Limits, type Http1Request } from '../../../server/pipy-repo/http1-connection.js';
import type { RequestHead } from '../../../server/pipy-repo/http1-parser.js';
import { waitFor } from '../../support/wait-for.js';
import { serveHttp1OnLoopback } from './fixtures/http1-loopback.js';

// Generous timeouts, so a loaded machine cannot close a connection under a test; the timeout test has its own.
const LIMITS: Http1Limits = { maxHeadBytes: 1024, maxBodyBytes: 64, idleTimeoutMs: 5_000, requestTimeoutMs: 5_000 };
const SHORT_TIMEOUTS: Http1Limits = { ...LIMITS, idleTimeoutMs: 150, requestTimeoutMs: 200 };

interface Harness {
  port: number;
  /** Server-side connections still open. */
  open: Set<Socket>;
  requests: Http1Request[];
  upgrades: { head: RequestHead; rest: Buffer }[];
}

/** A loopback server answering each request with its method, target and body length, or `bodies[target]`. */
async function serve(t: Test, limits = LIMITS, bodies: Record<string, Uint8Array> = {}): Promise<Harness> {
  const h: Harness = { port: 0, open: new Set(), requests: [], upgrades: [] };
  const handlers: Http1Handlers = {
    request(req) {
      h.requests.push(req);
      const body = bodies[req.head.target] ?? Buffer.from(`${req.head.method} ${req.head.target} ${req.body.length}`);
      const head = responseHead(200, { 'content-type': 'text/plain' }, body.length);
      return req.head.method === 'HEAD' ? { head } : { head, body };
    },
    upgrade(head, socket, rest) {
      h.upgrades.push({ head, rest });
      socket.end('HTTP/1.1 101 Switching Protocols\r\n\r\nupgraded');
    },
  };
  const loopback = await serveHttp1OnLoopback(t, handlers, limits);
  h.port = loopback.port;
  h.open = loopback.open;
  return h;
}

/** Opens a connection that collects everything it receives and notes when the server closed it. */
function client(t: Test, port: number) {
  const socket = connect(port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  const state = { text: '', closed: false };
  socket.on('data', (d: Buffer) => (state.text += d.toString('latin1')));
  socket.on('close', () => (state.closed = true));
  socket.on('error', () => undefined);
  return { socket, state };
}

t.test('pipelined requests are answered in order on one connection', async (t) => {
  const h = await serve(t);
  const c = client(t, h.port);
  c.socket.write('GET /a HTTP/1.1\r\nhost: h\r\n\r\nHEAD /b HTTP/1.1\r\nhost: h\r\n\r\nGET /c HTTP/1.1\r\nhost: h\r\n\r\n');
  await waitFor('three answers', () => (c.state.text.match(/HTTP\/1\.1 200 OK/g) ?? []).length === 3);
  t.match(c.state.text, /content-length: 8\r\n\r\nGET \/a 0HTTP\/1\.1 200 OK\r\ncontent-type: text\/plain\r\ncontent-length: 9\r\n\r\nHTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nGET \/c 0$/);
  t.notMatch(c.state.text, /date:/i, 'no Date header');
  t.same(h.requests.map((r) => r.head.target), ['/a', '/b', '/c']);
  t.equal(c.state.closed, false, 'HTTP/1.1 keeps the connection');
});

t.test('connection: close and HTTP/1.0 close after the response', async (t) => {
  const h = await serve(t);
  for (const request of ['GET /x HTTP/1.1\r\nhost: h\r\nconnection: close\r\n\r\nGET /never HTTP/1.1\r\nhost: h\r\n\r\n', 'GET /x HTTP/1.0\r\n\r\n']) {
    const c = client(t, h.port);
    c.socket.write(request);
    await waitFor('the server closes', () => c.state.closed);
    t.match(c.state.text, /^HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n\r\nGET \/x 0$/, request.split('\r\n')[0] ?? '');
  }
  t.same(h.requests.map((r) => r.head.target), ['/x', '/x'], 'nothing read after close');
});

t.test('a body split over several packets is delivered whole', async (t) => {
  const h = await serve(t);
  const c = client(t, h.port);
  c.socket.write('POST /s HTTP/1.1\r\nhost: h\r\ncontent-');
  await new Promise((r) => setTimeout(r, 20));
  c.socket.write('length: 9\r\n\r\n{"a"');
  await new Promise((r) => setTimeout(r, 20));
  t.equal(h.requests.length, 0, 'not answered before the body is complete');
  c.socket.write(':123}GET /next HTTP/1.1\r\nhost: h\r\n\r\n');
  await waitFor('two answers', () => h.requests.length === 2);
  t.equal(h.requests[0]?.body.toString(), '{"a":123}');
  t.equal(h.requests[1]?.head.target, '/next');
});

t.test('a chunked body is decoded across packets and the next request read where it ended', async (t) => {
  const h = await serve(t);
  const c = client(t, h.port);
  c.socket.write('POST /s HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{"a":');
  await new Promise((r) => setTimeout(r, 20));
  t.equal(h.requests.length, 0, 'not answered before the body is complete');
  c.socket.write('\r\n4;ext=1\r\n123}\r\n0\r\n');
  await new Promise((r) => setTimeout(r, 20));
  t.equal(h.requests.length, 0, 'not answered before the blank line after the last chunk');
  c.socket.write('x-checksum: 1\r\n\r\nGET /next HTTP/1.1\r\nhost: h\r\n\r\n');
  await waitFor('two answers', () => h.requests.length === 2);
  t.equal(h.requests[0]?.body.toString(), '{"a":123}');
  t.equal(h.requests[0]?.head.chunked, true);
  t.equal(h.requests[1]?.head.target, '/next');
  await waitFor('both answers written', () => /POST \/s 9HTTP\/1\.1 200 OK[^]*GET \/next 0$/.test(c.state.text));
  t.equal(c.state.closed, false, 'the connection stays open');
});

t.test('a chunked body that stalls gets 408 like any request', async (t) => {
  const h = await serve(t, SHORT_TIMEOUTS);
  const c = client(t, h.port);
  c.socket.write('POST /s HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab');
  await waitFor('the server closes', () => c.state.closed);
  t.match(c.state.text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  t.equal(h.requests.length, 0);
});

t.test('expect: 100-continue is answered before the body; other expectations are refused', async (t) => {
  const h = await serve(t);
  const c = client(t, h.port);
  c.socket.write('POST /s HTTP/1.1\r\nhost: h\r\ncontent-length: 2\r\nexpect: 100-continue\r\n\r\n');
  await waitFor('100 Continue', () => c.state.text.length > 0);
  t.equal(c.state.text, 'HTTP/1.1 100 Continue\r\n\r\n');
  c.socket.write('{}');
  await waitFor('the answer', () => h.requests.length === 1 && /POST \/s 2$/.test(c.state.text));
  const chunked = client(t, h.port);
  chunked.socket.write('POST /s HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\nexpect: 100-continue\r\n\r\n');
  await waitFor('100 Continue before a chunked body', () => chunked.state.text.length > 0);
  t.equal(chunked.state.text, 'HTTP/1.1 100 Continue\r\n\r\n');
  chunked.socket.write('2\r\n{}\r\n0\r\n\r\n');
  await waitFor('the chunked answer', () => h.requests.length === 2 && /POST \/s 2$/.test(chunked.state.text));
  const refused = client(t, h.port);
  refused.socket.write('POST /s HTTP/1.1\r\nhost: h\r\ncontent-length: 2\r\nexpect: magic\r\n\r\n{}');
  await waitFor('the server closes', () => refused.state.closed);
  t.match(refused.state.text, /^HTTP\/1\.1 417 Expectation Failed\r\n/);
  t.equal(h.requests.length, 2);
});

t.test('empty lines before a request are skipped; a body in many pieces is whole; HTTP/1.0 gets no 100 Continue', async (t) => {
  const h = await serve(t, { ...LIMITS, maxBodyBytes: 4096 });
  const c = client(t, h.port);
  c.socket.write('\r\n\r\nPOST /s HTTP/1.1\r\nhost: h\r\ncontent-length: 1000\r\n\r\n');
  for (let i = 0; i < 100; i++) c.socket.write('x'.repeat(10));
  await waitFor('the answer', () => h.requests.length === 1);
  t.equal(h.requests[0]?.body.toString(), 'x'.repeat(1000));
  const old = client(t, h.port);
  old.socket.write('POST /s HTTP/1.0\r\ncontent-length: 2\r\nexpect: 100-continue\r\n\r\n');
  await new Promise((r) => setTimeout(r, 50));
  old.socket.write('{}');
  await waitFor('the server closes', () => old.state.closed);
  t.match(old.state.text, /^HTTP\/1\.1 200 OK\r\n[^]*POST \/s 2$/, 'the answer alone');
});

t.test('bad requests get their status with connection: close', async (t) => {
  const h = await serve(t);
  const cases: [string, RegExp][] = [
    ['GET /a b HTTP/1.1\r\n\r\n', /^HTTP\/1\.1 400 Bad Request\r\n[^]*connection: close\r\n\r\nmalformed request line\n$/],
    ['POST /s HTTP/1.1\r\nhost: h\r\ncontent-length: 65\r\n\r\n', /^HTTP\/1\.1 413 Content Too Large\r\n[^]*request body too large\n$/],
    ['POST /s HTTP/1.1\r\nhost: h\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', /^HTTP\/1\.1 400 Bad Request\r\n[^]*content-length and transfer-encoding together\n$/],
    ['POST /s HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabcX\r\n', /^HTTP\/1\.1 400 Bad Request\r\n[^]*chunk data not followed by CRLF\n$/],
    ['POST /s HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n41\r\n', /^HTTP\/1\.1 413 Content Too Large\r\n[^]*request body too large\n$/],
    ['POST /s HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n40\r\n' + 'a'.repeat(64) + '\r\n1\r\n', /^HTTP\/1\.1 413 Content Too Large\r\n/],
    [`GET / HTTP/1.1\r\nx: ${'a'.repeat(2000)}`, /^HTTP\/1\.1 431 /],
    ['BREW / HTTP/1.1\r\nhost: h\r\n\r\n', /^HTTP\/1\.1 501 Not Implemented\r\n[^]*method BREW is not implemented\n$/],
  ];
  for (const [request, answer] of cases) {
    const c = client(t, h.port);
    c.socket.write(request);
    await waitFor('the server closes', () => c.state.closed);
    t.match(c.state.text, answer, request.slice(0, 40));
  }
  t.equal(h.requests.length, 0, 'none reached the handler');
});

t.test('an idle connection is closed; a request that stalls gets 408; a peer that stops reading is dropped', async (t) => {
  const h = await serve(t, SHORT_TIMEOUTS, { '/big': new Uint8Array(32 * 1024 * 1024) });
  const idle = client(t, h.port);
  await waitFor('the idle connection closes', () => idle.state.closed);
  t.equal(idle.state.text, '', 'closed without an answer');
  const stalled = client(t, h.port);
  stalled.socket.write('GET /slow HTTP/1.1\r\nhost: h\r\n');
  await waitFor('the stalled request is refused', () => stalled.state.closed);
  t.match(stalled.state.text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  t.equal(h.requests.length, 0);
  await waitFor('no connection left', () => h.open.size === 0);
  const deaf = connect(h.port, '127.0.0.1');
  t.teardown(() => deaf.destroy());
  deaf.on('error', () => undefined);
  deaf.pause();
  deaf.write('GET /big HTTP/1.1\r\nhost: h\r\n\r\n');
  await waitFor('the request', () => h.requests.length === 1);
  t.equal(h.open.size, 1, 'held while the answer is pending');
  await waitFor('the connection of a peer that reads nothing is dropped', () => h.open.size === 0);
});

t.test('an upgrade hands the socket over with the bytes read past the head', async (t) => {
  const h = await serve(t);
  const c = client(t, h.port);
  c.socket.write(Buffer.from('GET /repo/x/i1 HTTP/1.1\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n\x81\x00', 'latin1'));
  await waitFor('the upgrade', () => c.state.closed);
  t.equal(c.state.text, 'HTTP/1.1 101 Switching Protocols\r\n\r\nupgraded');
  t.equal(h.upgrades.length, 1);
  t.equal(h.upgrades[0]?.head.target, '/repo/x/i1');
  t.same([...(h.upgrades[0]?.rest ?? [])], [0x81, 0x00]);
  t.equal(h.requests.length, 0);
});

t.test('a peer that does not read stops the reading of its requests', async (t) => {
  const big = new Uint8Array(4 * 1024 * 1024).fill(0x61);
  const h = await serve(t, LIMITS, { '/big': big });
  const socket = connect(h.port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  socket.on('error', () => undefined);
  socket.pause();
  socket.write('GET /big HTTP/1.1\r\nhost: h\r\n\r\n'.repeat(40));
  await waitFor('the first answer', () => h.requests.length > 0);
  await new Promise((r) => setTimeout(r, 300));
  const answered = h.requests.length;
  t.ok(answered < 40, `${answered} of 40 answered while the peer does not read`);
  let received = 0;
  socket.on('data', (d: Buffer) => (received += d.length));
  socket.resume();
  await waitFor('all answers', () => received >= 40 * big.length);
  t.equal(h.requests.length, 40);
});
