import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { parseRequestHead } from '../../../server/pipy-repo/http1-parser.js';
import { responseHead } from '../../../server/pipy-repo/http1-response.js';
import { serveHttp1OnLoopback } from './fixtures/http1-loopback.js';

/**
 * Differential check of the repo's request-head parser against Node's own
 * (llhttp): over mutations of the requests Pipy sends, whatever ours accepts
 * Node must accept too, read the same way (method, target, content-length).
 * Ours may refuse more; it must never read a head Node reads
 * differently or refuses.
 */

const SEEDS = [
  'GET /repo/fsm-sidecar/a.sidecar.b.c/ HTTP/1.1\r\nHost: 127.0.0.1:6060\r\nconnection: keep-alive\r\n\r\n',
  'HEAD /repo/x/ HTTP/1.1\r\nHost: h\r\n\r\n',
  'POST /repo/x/ HTTP/1.1\r\ncontent-type: application/json\r\nHost: h\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n{}',
  'GET /repo/x/config.json HTTP/1.0\r\nconnection: keep-alive\r\n\r\n',
];
const NOISE = [' ', '\t', '\r', '\n', '\r\n', '\0', ':', '\x7f', '\xe9', 'a', '0', ',', '"', '/', 'content-length: 3\r\n', 'transfer-encoding: chunked\r\n', 'connection: close\r\n'];

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible case. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(text: string, random: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(random() * 3);
  for (let i = 0; i < edits; i++) {
    // Edits stay inside the head, where the two parsers may disagree.
    const end = out.indexOf('\r\n\r\n');
    const at = Math.floor(random() * (end < 0 ? out.length : end + 2));
    const kind = random();
    if (kind < 0.5) out = out.slice(0, at) + (NOISE[Math.floor(random() * NOISE.length)] ?? '') + out.slice(at);
    else if (kind < 0.8) out = out.slice(0, at) + out.slice(at + 1);
    else out = out.slice(0, at) + out.slice(at, at + 12) + out.slice(at);
  }
  return out;
}

interface NodeVerdict {
  accepted: boolean;
  method?: string;
  url?: string;
  contentLength?: string | undefined;
}

t.test("whatever the repo's parser accepts, Node's parser accepts and reads the same way", async (t) => {
  let seen: IncomingMessage | undefined;
  const server = createServer((req, res) => {
    seen = req;
    req.resume();
    res.end();
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;

  /** Sends one request on a new connection; Node accepted it when the handler saw it. */
  const nodeReads = (text: string): Promise<NodeVerdict> =>
    new Promise((resolve) => {
      seen = undefined;
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('data', () => socket.destroy());
      socket.on('close', () => {
        const req = seen;
        resolve(
          req
            ? { accepted: true, method: req.method ?? '', url: req.url ?? '', contentLength: req.headers['content-length'] }
            : { accepted: false },
        );
      });
      socket.end(Buffer.from(text, 'latin1'));
    });

  const random = prng(20261122);
  let accepted = 0;
  for (let i = 0; i < 400; i++) {
    const text = mutate(SEEDS[i % SEEDS.length] as string, random);
    const ours = parseRequestHead(Buffer.from(text, 'latin1'), 16 * 1024);
    if (ours.kind !== 'request') continue;
    accepted++;
    const node = await nodeReads(text);
    const where = JSON.stringify(text);
    if (!node.accepted) {
      t.fail(`ours accepts what Node refuses: ${where}`);
      continue;
    }
    t.equal(ours.head.method, node.method, `method of ${where}`);
    t.equal(ours.head.target, node.url, `target of ${where}`);
    t.equal(String(ours.head.contentLength), node.contentLength ?? '0', `content-length of ${where}`);
  }
  t.ok(accepted >= 50, `${accepted} accepted mutations compared (of 400)`);
  t.ok(accepted < 400, 'some mutations were refused');
});

/**
 * The same check for chunked framing, through the real connection code: each
 * mutated byte stream (a chunked POST, then a pipelined GET) goes to the repo's
 * HTTP/1.1 server and to Node's. Every request ours answers, Node must read
 * too, at the same position in the stream, with the same method, target and
 * body — so the two never disagree on where a body ends and the next request
 * starts.
 */
const CHUNKED_SEEDS = [
  'POST /repo/x/ HTTP/1.1\r\ncontent-type: application/json\r\nhost: h\r\ntransfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n',
  'POST /repo/x/ HTTP/1.1\r\nhost: h\r\ntransfer-encoding: Chunked\r\n\r\n',
];
const CHUNKED_BODIES = [
  '1B\r\n{"uuid":"a","version":"v1"}\r\n0\r\n\r\n',
  '5\r\n{"a":\r\n4;ext=1\r\n123}\r\n0\r\n\r\n',
  '2;q="x y"\r\n{}\r\n000\r\nx-trailer: v\r\n\r\n',
  'a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n',
];
const NEXT = 'GET /second HTTP/1.1\r\nhost: h\r\n\r\n';
const FRAMING_NOISE = [' ', '\t', '\r', '\n', '\r\n', ';', '=', '"', '0', '1', 'F', 'a', 'g', 'x', ':', '0\r\n\r\n', '\r\n0\r\n', ';e', 'x-t: v\r\n', '\r\n\r\n'];

/** Offsets of a valid chunked body that are framing (size lines, CRLFs, trailers), not chunk data. */
function framingOffsets(body: string): number[] {
  const out: number[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) throw new Error(`not a valid chunked body: ${JSON.stringify(body)}`);
    for (let i = at; i < eol + 2; i++) out.push(i);
    const size = parseInt(body.slice(at, eol), 16);
    at = eol + 2;
    if (size === 0) break;
    at += size;
    out.push(at, at + 1);
    at += 2;
  }
  for (let i = at; i < body.length; i++) out.push(i);
  return out;
}

function mutateFraming(body: string, random: () => number): string {
  // Edits land on framing bytes four times in five: an edit inside chunk data only shifts the framing.
  const framing = framingOffsets(body);
  let out = body;
  const edits = random() < 0.33 ? 2 : 1;
  for (let i = 0; i < edits; i++) {
    const at = random() < 0.8 ? (framing[Math.floor(random() * framing.length)] ?? 0) : Math.floor(random() * out.length);
    const kind = random();
    if (kind < 0.5) out = out.slice(0, at) + (FRAMING_NOISE[Math.floor(random() * FRAMING_NOISE.length)] ?? '') + out.slice(at);
    else if (kind < 0.85) out = out.slice(0, at) + out.slice(at + 1);
    else out = out.slice(0, at) + out.slice(at, at + 4) + out.slice(at);
  }
  return out;
}

interface Seen {
  method: string;
  url: string;
  body: string;
  complete: boolean;
}

t.test("chunked framing: every request the repo's server reads, Node reads the same, at the same place", async (t) => {
  let nodeSeen: Seen[] = [];
  const node = createServer((req, res) => {
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', body: '', complete: false };
    nodeSeen.push(entry);
    req.setEncoding('latin1');
    req.on('data', (d: string) => (entry.body += d));
    const settle = () => (entry.complete = req.complete);
    req.on('end', settle);
    req.on('close', settle);
    res.end();
  });
  node.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((r) => node.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => node.close(() => r())));
  const nodePort = (node.address() as { port: number }).port;

  let oursSeen: Seen[] = [];
  const ours = await serveHttp1OnLoopback(
    t,
    {
      request(req) {
        oursSeen.push({ method: req.head.method, url: req.head.target, body: req.body.toString('latin1'), complete: true });
        return { head: responseHead(200, {}, 0) };
      },
      upgrade: (_head, socket) => socket.destroy(),
    },
    { maxHeadBytes: 16 * 1024, maxBodyBytes: 64 * 1024, idleTimeoutMs: 10_000, requestTimeoutMs: 10_000 },
  );

  /** Sends `text` on a new connection, half-closes, and waits until the server closed it. */
  const send = (port: number, text: string) =>
    new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.resume();
      socket.on('close', () => setImmediate(resolve));
      socket.end(Buffer.from(text, 'latin1'));
    });

  const random = prng(20261123);
  let compared = 0;
  let refused = 0;
  for (let i = 0; i < 800; i++) {
    const text = (CHUNKED_SEEDS[i % CHUNKED_SEEDS.length] as string) + mutateFraming(CHUNKED_BODIES[i % CHUNKED_BODIES.length] as string, random) + NEXT;
    oursSeen = [];
    nodeSeen = [];
    await send(ours.port, text);
    await send(nodePort, text);
    if (oursSeen.length === 0) refused++;
    const where = JSON.stringify(text);
    oursSeen.forEach((o, n) => {
      compared++;
      const theirs = nodeSeen[n];
      if (!theirs?.complete) return void t.fail(`ours reads request ${n} where Node does not: ${where}`);
      t.same({ method: o.method, url: o.url, body: o.body }, { method: theirs.method, url: theirs.url, body: theirs.body }, `request ${n} of ${where}`);
    });
  }
  t.ok(compared >= 150, `${compared} requests compared`);
  t.ok(refused >= 100 && refused < 800, `${refused} of 800 streams refused from their first request`);
});
