import t from 'tap';
import { parseRequestHead, type ParseResult } from '../../../server/pipy-repo/http1-parser.js';

const parse = (text: string, max = 16 * 1024): ParseResult => parseRequestHead(Buffer.from(text, 'latin1'), max);

t.test("Pipy's requests: GET, HEAD and POST heads as Pipy 1.5.14 sends them", async (t) => {
  const get = parse('GET /repo/x/ HTTP/1.1\r\nHost: 127.0.0.1:6060\r\nconnection: keep-alive\r\n\r\nGET /next');
  t.match(get, { kind: 'request', head: { method: 'GET', target: '/repo/x/', minorVersion: 1, keepAlive: true, upgrade: false, contentLength: 0 } });
  if (get.kind === 'request') {
    t.equal(get.head.headLength, 'GET /repo/x/ HTTP/1.1\r\nHost: 127.0.0.1:6060\r\nconnection: keep-alive\r\n\r\n'.length, 'the head ends at the blank line');
    t.same(get.head.headers, { host: '127.0.0.1:6060', connection: 'keep-alive' });
  }
  t.match(parse('HEAD /repo/x/ HTTP/1.1\r\nHost: h\r\n\r\n'), { kind: 'request', head: { method: 'HEAD' } });
  t.match(parse('POST /repo/x/ HTTP/1.1\r\ncontent-type: application/json\r\nHost: h\r\ncontent-length: 2820\r\nconnection: keep-alive\r\n\r\n{'), {
    kind: 'request',
    head: { method: 'POST', contentLength: 2820, keepAlive: true },
  });
  t.match(parse('GET /repo/x/i1 HTTP/1.1\r\nupgrade: websocket\r\nsec-websocket-key: k==\r\nsec-websocket-version: 13\r\nconnection: upgrade\r\n\r\n'), {
    kind: 'request',
    head: { upgrade: true, headers: { 'sec-websocket-key': 'k==', 'sec-websocket-version': '13' } },
  }, "Pipy's admin-link upgrade has no Host header");
});

t.test('keep-alive follows the version and the connection header', async (t) => {
  t.match(parse('GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n'), { head: { keepAlive: false } });
  t.match(parse('GET / HTTP/1.1\r\nHost: h\r\nconnection: foo, close\r\n\r\n'), { head: { keepAlive: false } });
  t.match(parse('GET / HTTP/1.0\r\n\r\n'), { head: { minorVersion: 0, keepAlive: false } });
  t.match(parse('GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n'), { head: { keepAlive: true } });
  t.match(parse('GET / HTTP/1.1\r\nHost: h\r\nupgrade: websocket\r\n\r\n'), { head: { upgrade: false } }, 'upgrade needs the connection option too');
});

t.test('an unfinished head is incomplete until it passes the limit, then 431', async (t) => {
  t.same(parse('GET /repo/x/ HTTP/1.1\r\nHost: h\r\n'), { kind: 'incomplete' });
  t.same(parse('GET /'), { kind: 'incomplete' });
  t.match(parse('GET / HTTP/1.1\r\nx: ' + 'a'.repeat(100), 64), { kind: 'error', status: 431 });
  t.match(parse('GET / HTTP/1.1\r\nx: ' + 'a'.repeat(100) + '\r\n\r\n', 64), { kind: 'error', status: 431 }, 'a whole head past the limit');
  t.match(parse('GET / HTTP/1.0\r\n\r\n', 18), { kind: 'request' }, 'a head of exactly the limit');
});

t.test('anything that could be read two ways is refused with the status to answer', async (t) => {
  const cases: [string, number, RegExp][] = [
    ['GET /a b HTTP/1.1\r\n\r\n', 400, /request line/],
    ['GET http://h/x HTTP/1.1\r\n\r\n', 400, /request line/],
    ['GET  / HTTP/1.1\r\n\r\n', 400, /request line/],
    ['GET / HTTP/2.0\r\n\r\n', 505, /HTTP\/1/],
    ['GET / HTTP/1.1\nHost: h\r\n\r\n', 400, /request line/],
    ['GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n', 400, /bare LF/],
    ['GET / HTTP/1.1\r\nHost : h\r\n\r\n', 400, /header name/],
    ['GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n', 400, /header line|header name/],
    ['GET / HTTP/1.1\r\nnocolon\r\n\r\n', 400, /header line/],
    ['GET / HTTP/1.1\r\nx: a\rb\r\n\r\n', 400, /value of header x/],
    ['GET / HTTP/1.1\r\nconnection: keep-alive\r\n\r\n', 400, /missing Host/],
    ['BREW / HTTP/1.1\r\nHost: h\r\n\r\n', 501, /BREW is not implemented/],
    ['POST / HTTP/1.1\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\n', 400, /conflicting content-length/],
    ['POST / HTTP/1.1\r\ncontent-length: -1\r\n\r\n', 400, /content-length/],
    ['POST / HTTP/1.1\r\ncontent-length: 1e3\r\n\r\n', 400, /content-length/],
    ['POST / HTTP/1.1\r\nHost: h\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n', 400, /content-length and transfer-encoding/],
    ['POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n', 400, /content-length and transfer-encoding/],
    ['POST / HTTP/1.0\r\ntransfer-encoding: chunked\r\n\r\n', 400, /HTTP\/1\.0/],
    ['POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: chunked, gzip\r\n\r\n', 400, /end with chunked/],
    ['POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: chunked, chunked\r\n\r\n', 400, /end with chunked, once/],
    ['POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: chunked\r\ntransfer-encoding: chunked\r\n\r\n', 400, /end with chunked, once/],
    ['POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: identity\r\n\r\n', 400, /end with chunked/],
    ['POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: chunked;a=b\r\n\r\n', 400, /malformed transfer-encoding/],
    ['POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: ,chunked\r\n\r\n', 400, /malformed transfer-encoding/],
    ['POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: gzip, chunked\r\n\r\n', 501, /"gzip" is not implemented/],
    // Only SP and HTAB are whitespace around a value; llhttp refuses these, so ours must not read them as "2" or "h".
    ['POST / HTTP/1.1\r\nHost: h\r\ncontent-length: 2\x0b\r\n\r\n', 400, /content-length/],
    ['POST / HTTP/1.1\r\nHost: h\r\ncontent-length:\x0c2\r\n\r\n', 400, /content-length/],
    ['GET / HTTP/1.1\r\nHost: \xa0h\r\n\r\n', 400, /value of header Host/],
  ];
  for (const [text, status, reason] of cases) t.match(parse(text), { kind: 'error', status, reason }, JSON.stringify(text));
});

t.test('transfer-encoding: chunked (any case, with optional whitespace) frames the body as chunked', async (t) => {
  for (const value of ['chunked', 'Chunked', ' CHUNKED\t']) {
    t.match(parse(`POST /repo/x/ HTTP/1.1\r\nHost: h\r\ntransfer-encoding:${value}\r\n\r\n`), { kind: 'request', head: { chunked: true, contentLength: 0 } }, JSON.stringify(value));
  }
  t.match(parse('POST / HTTP/1.1\r\nHost: h\r\ncontent-length: 2\r\n\r\n'), { kind: 'request', head: { chunked: false, contentLength: 2 } });
});

t.test('header names that are Object properties are read as sent', async (t) => {
  const parsed = parse('GET / HTTP/1.1\r\nHost: h\r\nconstructor: a\r\n__proto__: b\r\n\r\n');
  t.equal(parsed.kind, 'request');
  if (parsed.kind !== 'request') return;
  t.equal(parsed.head.headers['constructor'], 'a');
  t.equal(parsed.head.headers['__proto__'], 'b');
  t.same(Object.keys(parsed.head.headers), ['host', 'constructor', '__proto__']);
});

t.test('repeated headers: identical content-length is one, others are joined', async (t) => {
  t.match(parse('POST / HTTP/1.1\r\nHost: h\r\ncontent-length: 5\r\ncontent-length: 5\r\n\r\n'), { kind: 'request', head: { contentLength: 5 } });
  t.match(parse('GET / HTTP/1.1\r\nHost: h\r\nx-a: 1\r\nX-A: 2\r\n\r\n'), { kind: 'request', head: { headers: { 'x-a': '1, 2' } } });
});
