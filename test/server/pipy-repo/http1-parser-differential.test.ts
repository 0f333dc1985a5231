import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { parseRequestHead } from '../../../server/pipy-repo/http1-parser.js';

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
