import t from 'tap';
import { createChunkedDecoder, type ChunkedLimits, type ChunkedResult } from '../../../server/pipy-repo/http1-chunked.js';
import { chunkedAsPipy } from './fixtures/pipy-status-report.js';

const LIMITS: ChunkedLimits = { maxBodyBytes: 64 * 1024, maxLineBytes: 64, maxTrailerBytes: 128 };

/** Decodes `text` fed in pieces of `step` bytes (all at once by default). */
function decode(text: string | Buffer, step = Infinity, limits = LIMITS): ChunkedResult {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const decoder = createChunkedDecoder(limits);
  let result: ChunkedResult = { kind: 'incomplete' };
  for (let at = 0; at < bytes.length && result.kind === 'incomplete'; at += step) result = decoder.push(bytes.subarray(at, at + step));
  return result;
}

function bodyOf(r: ChunkedResult): string | undefined {
  return r.kind === 'done' ? r.body.toString('latin1') : undefined;
}

t.test("Pipy's framing: one upper-case hex chunk, then 0 and a blank line; the rest is the next request", async (t) => {
  const body = Buffer.from('x'.repeat(20_000));
  const framed = Buffer.concat([chunkedAsPipy(body), Buffer.from('GET /next')]);
  const r = decode(framed);
  t.equal(r.kind, 'done');
  if (r.kind !== 'done') return;
  t.equal(r.body.length, 20_000);
  t.ok(r.body.equals(body));
  t.equal(r.rest.toString(), 'GET /next');
});

t.test('a body split at every byte boundary decodes the same', async (t) => {
  const framed = '3;name=value\r\nabc\r\n00A;q="a \\"b\\""\r\n0123456789\r\n1\r\nz\r\n000;last\r\nx-trailer: kept out\r\n\r\nNEXT';
  for (const step of [1, 2, 3, 5, 7, 11, 64]) {
    t.equal(bodyOf(decode(framed, step)), 'abc0123456789z', `pieces of ${step}`);
  }
  const whole = decode(framed);
  t.equal(whole.kind === 'done' ? whole.rest.toString() : '', 'NEXT');
});

t.test('an empty body is just the last chunk', async (t) => {
  t.equal(bodyOf(decode('0\r\n\r\n')), '');
  t.equal(decode('0\r\n\r').kind, 'incomplete');
  t.equal(decode('0\r\n').kind, 'incomplete');
});

t.test('anything framed ambiguously is refused with 400', async (t) => {
  const cases: [string, RegExp][] = [
    ['3\nabc\r\n0\r\n\r\n', /bare LF|chunk size/],
    ['3\r\nabc\n0\r\n\r\n', /not followed by CRLF/],
    ['3\r\nabcX\r\n0\r\n\r\n', /not followed by CRLF/],
    ['3 \r\nabc\r\n0\r\n\r\n', /chunk size line/],
    ['3\t\r\nabc\r\n0\r\n\r\n', /chunk size line/],
    ['3 ;a\r\nabc\r\n0\r\n\r\n', /chunk size line/],
    ['3; a=b\r\nabc\r\n0\r\n\r\n', /chunk size line/],
    ['3;a = b\r\nabc\r\n0\r\n\r\n', /chunk size line/],
    ['3;=b\r\nabc\r\n0\r\n\r\n', /chunk size line/],
    ['3;a="b\r\nabc\r\n0\r\n\r\n', /chunk size line/],
    ['0x3\r\nabc\r\n0\r\n\r\n', /chunk size line/],
    ['-3\r\nabc\r\n0\r\n\r\n', /chunk size line/],
    ['+3\r\nabc\r\n0\r\n\r\n', /chunk size line/],
    ['\r\nabc\r\n0\r\n\r\n', /chunk size line/],
    ['3\r\nabc\r\n0\r\nx t: v\r\n\r\n', /trailer field/],
    ['3\r\nabc\r\n0\r\nx: a\rb\r\n\r\n', /trailer field/],
    ['3\r\nabc\r\n0\r\n folded\r\n\r\n', /trailer field/],
    ['3\r\nabc\r\n0\r\nx: v\n\r\n', /trailer field/],
    [`${'a'.repeat(70)}\r\n`, /too long/],
  ];
  for (const [text, reason] of cases) t.match(decode(text), { kind: 'error', status: 400, reason }, JSON.stringify(text));
  t.match(decode(`3;${'e'.repeat(80)}`), { kind: 'error', status: 400, reason: /too long/ }, 'an endless size line is refused before its end');
});

t.test('a body past the limit is refused with 413 at the chunk size, before its data', async (t) => {
  const limits = { ...LIMITS, maxBodyBytes: 10 };
  t.match(decode('B\r\n', Infinity, limits), { kind: 'error', status: 413 }, 'one chunk too large');
  t.match(decode('5\r\nabcde\r\n6\r\n', Infinity, limits), { kind: 'error', status: 413 }, 'the sum of chunks too large');
  t.match(decode('FFFFFFFFFFFFFFFFFFFF\r\n', Infinity, limits), { kind: 'error', status: 413 }, 'a size past any integer');
  t.equal(bodyOf(decode('5\r\nabcde\r\n5\r\nfghij\r\n0\r\n\r\n', Infinity, limits)), 'abcdefghij', 'exactly the limit');
  t.equal(bodyOf(decode('0000000000000000003\r\nabc\r\n0\r\n\r\n')), 'abc', 'leading zeros are only zeros');
});

t.test('trailers past the limit are refused with 431; a decoder that failed stays failed', async (t) => {
  const trailer = `x-a: ${'v'.repeat(100)}\r\n`;
  t.match(decode(`0\r\n${trailer}${trailer}\r\n`), { kind: 'error', status: 431 });
  t.match(decode(`0\r\n${'v'.repeat(200)}`), { kind: 'error', status: 431 }, 'an endless trailer line is refused before its end');
  const decoder = createChunkedDecoder(LIMITS);
  t.match(decoder.push(Buffer.from('zz\r\n')), { kind: 'error', status: 400 });
  t.match(decoder.push(Buffer.from('0\r\n\r\n')), { kind: 'error', status: 400 });
});

t.test('a body of one-byte chunks costs one buffer, not one per chunk', async (t) => {
  const framed = Buffer.from('1\r\na\r\n'.repeat(5000) + '0\r\n\r\n');
  const r = decode(framed);
  t.equal(bodyOf(r), 'a'.repeat(5000));
  if (r.kind === 'done') t.ok(r.body.buffer.byteLength <= 64 * 1024, `backing store of ${r.body.buffer.byteLength} bytes`);
});
