import { readFile } from 'node:fs/promises';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { fixture, generateAll, storeOf } from '../generate/gateway/helpers.js';

// The built-in gateway base is PipyJS, which is plain JavaScript: it runs
// here in a VM context against a recording stand-in for Pipy's
// configuration API (listen, repeat, pipeline, demuxHTTP, branch, muxHTTP,
// connect, handleMessageStart, replaceMessage, replaceStreamStart), fed the
// configs the gateway generator produces. A request is played through the
// recorded HTTP pipeline: it either reaches `connect` (forwarded, with the
// target and the request as modified) or is answered by `replaceMessage`.
const source = await readFile(new URL('../../src/pipy-base/gateway-default/main.js', import.meta.url), 'utf8');

type Fn = (...args: any[]) => any;
interface Op {
  op: string;
  args: any[];
  sub?: Op[][];
}
interface Head {
  method: string;
  path: string;
  headers: Record<string, string>;
}
interface Outcome {
  target?: string;
  reply?: { status: number; headers: Record<string, string>; body: string };
  request: Head;
  response?: Record<string, string>;
}

class Message {
  constructor(readonly head: { status: number; headers: Record<string, string> }, readonly body = '') {}
}
class StreamEnd {
  constructor(readonly type: string) {}
}

function recorder(into: Op[]): Record<string, Fn> {
  const b: Record<string, Fn> = {};
  const simple = ['listen', 'link', 'handleMessageStart', 'replaceMessage', 'replaceStreamStart', 'connect'];
  for (const name of simple) b[name] = (...args: any[]) => (into.push({ op: name, args }), b);
  b['branch'] = (...args: any[]) => {
    const subs: Op[][] = [];
    const recorded = args.map((a, i) => (i % 2 === 1 || i === args.length - 1 ? (subs.push([]), (a as Fn)(recorder(subs[subs.length - 1] as Op[])), subs.length - 1) : a));
    into.push({ op: 'branch', args: recorded, sub: subs });
    return b;
  };
  for (const name of ['demuxHTTP', 'muxHTTP']) {
    b[name] = (...args: any[]) => ({
      to: (fn: Fn) => {
        const sub: Op[] = [];
        fn(recorder(sub));
        into.push({ op: name, args, sub: [sub] });
        return b;
      },
    });
  }
  return b;
}

function load(config: unknown) {
  const sandbox: Record<string, unknown> = {};
  const pipelines = new Map<string, Op[]>();
  let current: Op[] = [];
  pipelines.set('', current);
  // The top-level builder records into the pipeline last opened (`pipeline(name)`).
  const builder: Record<string, Fn> = {
    repeat: (items: unknown[], fn: Fn) => {
      for (const item of items) fn(recorder(current), item);
      return builder;
    },
    pipeline: (name: string) => {
      current = [];
      pipelines.set(name, current);
      return builder;
    },
  };
  for (const k of Object.keys(recorder([]))) {
    builder[k] = (...args: any[]) => {
      const r = recorder(current);
      const out = (r[k] as Fn)(...args);
      return out === r ? builder : { to: (fn: Fn) => (out.to(fn), builder) };
    };
  }
  const pipy = Object.assign((context: Record<string, unknown>) => (Object.assign(sandbox, context), builder), {
    load: (path: string) => (path === 'config.json' ? JSON.stringify(config) : null),
  });
  Object.assign(sandbox, { pipy, Message, StreamEnd, JSON: { decode: (s: string | null) => (s === null ? null : JSON.parse(s)) } });
  runInNewContext(source, sandbox);

  const listeners = (pipelines.get('') ?? []).reduce<{ port: number; options: unknown; link?: string }[]>((acc, op) => {
    if (op.op === 'listen') acc.push({ port: op.args[0], options: op.args[1] });
    if (op.op === 'link') (acc[acc.length - 1] as { link?: string }).link = op.args[0];
    return acc;
  }, []);

  /** Plays one request through the `http` pipeline's demuxed stream. */
  function request(listen: number, head: Partial<Head> & { host?: string }, upstreamHeaders: Record<string, string> = {}): Outcome {
    const req: Head = { method: head.method ?? 'GET', path: head.path ?? '/', headers: { ...(head.host ? { host: head.host } : {}), ...(head.headers ?? {}) } };
    sandbox['__inbound'] = { localPort: listen, remoteAddress: '192.0.2.1' };
    const demux = (pipelines.get('http') ?? []).find((o) => o.op === 'demuxHTTP')?.sub?.[0] ?? [];
    const out: Outcome = { request: req };
    const run = (ops: Op[], msg: unknown): void => {
      for (const op of ops) {
        if (op.op === 'handleMessageStart') (op.args[0] as Fn)(msg);
        else if (op.op === 'branch') {
          for (let i = 0; i < op.args.length; i += 2) {
            const last = i === op.args.length - 1;
            if (last || (op.args[i] as Fn)()) {
              run(op.sub?.[op.args[last ? i : i + 1]] ?? [], msg);
              return;
            }
          }
        } else if (op.op === 'muxHTTP') {
          const connect = op.sub?.[0]?.find((o) => o.op === 'connect');
          out.target = (connect?.args[0] as Fn)();
          msg = { head: { status: 200, headers: { ...upstreamHeaders } } };
        } else if (op.op === 'replaceMessage') {
          const m = (op.args[0] as Fn)() as Message;
          out.reply = { status: m.head.status, headers: m.head.headers, body: m.body };
          return;
        }
      }
      if (out.target) out.response = (msg as { head: { headers: Record<string, string> } }).head.headers;
    };
    run(demux, { head: req });
    return out;
  }
  return { listeners, pipelines, request };
}

const world = (name: string) => [...fixture('base.yaml'), ...fixture(`${name}.yaml`)];
const configOf = (name: string) => JSON.parse([...generateAll(storeOf(world(name))).values()][0]?.configJson ?? '{}');

t.test('every TCP listener is opened (so Pipy keeps running); only HTTP ones route, the others refuse', async (t) => {
  const { listeners, pipelines } = load(configOf('tls'));
  t.same(listeners.map((l) => [l.port, l.link]), [
    [60443, 'refuse'],
    [8443, 'refuse'],
    [9443, 'refuse'],
  ]);
  t.match(pipelines.get('refuse'), [{ op: 'replaceStreamStart', args: [{ type: 'ConnectionReset' }] }]);
  const l4 = load(configOf('l4')).listeners;
  t.same(l4.map((l) => [l.port, l.link]), [[7000, 'refuse']], 'UDP listeners are not opened');
  const http = load(configOf('http-routing')).listeners;
  t.same(http.map((l) => [l.port, l.link]), [[60080, 'http'], [8080, 'http']]);
  t.match(http[0]?.options, { connectTimeout: 60, idleTimeout: 60 });
});

t.test('routes by host: exact, then the most specific wildcard, then any; port and case ignored', async (t) => {
  const { request } = load(configOf('http-routing'));
  t.equal(request(60080, { host: 'bookstore.example.com', path: '/api/books' }).target, '10.1.0.31:14001');
  t.equal(request(60080, { host: 'BookStore.Example.com:80', path: '/api' }).target, '10.1.0.31:14001');
  t.same(request(60080, { host: 'bookstore.example.com', path: '/other' }).reply?.status, 404, 'a host without a matching match: 404');
  t.match(request(60080, { host: 'x.shop.example.com', path: '/' }).target, /^10\.0\.0\.1[12]:80$/, '*.shop.example.com');
  t.match(request(60080, { host: 'elsewhere.org', path: '/' }).target, /^10\.0\.0\.1[12]:80$/, 'any host: the catch-all route');
  t.equal(request(8080, { host: 'elsewhere.org', path: '/' }).reply?.status, 404, 'the *.example.com listener has no catch-all');
});

t.test('matches in precedence order: exact path, longest prefix, method, headers, query, regex', async (t) => {
  const { request } = load(configOf('http-routing'));
  const foo = (h: Partial<Head>) => request(60080, { host: 'foo.example.com', ...h }).target;
  t.match(foo({ path: '/health' }), /^10\.0\.0\.1[12]:80$/, 'Exact /health → httpbin');
  t.equal(foo({ path: '/api/x', method: 'POST' }), '10.0.0.21:80', 'POST /api → httpbin-v2');
  t.match(foo({ path: '/api/x' }), /^10\.0\.0\.1[12]:80$/, 'GET /api → httpbin (older route wins over bookstore)');
  t.equal(foo({ path: '/apix' }), undefined, '/apix is not under /api');
  t.equal(foo({ path: '/', headers: { 'x-env': 'canary' } }), '10.0.0.21:80', 'header match');
  t.equal(foo({ path: '/?debug=1' }), '10.0.0.21:80', 'query match');
  t.equal(foo({ path: '/v2/items' }), '10.0.0.21:80', 'regular expression, whole path');
  t.equal(request(60080, { host: 'foo.example.com', path: '/v2/items/x' }).reply?.status, 404, 'a regular expression matches the whole path');
});

t.test('weights: an 80/20/10 split with an unresolvable share answers 500 for that share, exactly in proportion', async (t) => {
  const { request } = load(configOf('split'));
  const counts: Record<string, number> = {};
  for (let i = 0; i < 110; i++) {
    const o = request(60080, { host: 'split.example.com', path: '/books' });
    const k = o.target ? (o.target.startsWith('10.0.0.21') ? 'v2' : 'v1') : String(o.reply?.status);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  t.same(counts, { v1: 80, v2: 20, '500': 10 });
  t.equal(request(60080, { host: 'split.example.com', path: '/gone' }).reply?.status, 500, 'every backend unresolved');
  t.equal(request(60080, { host: 'split.example.com', path: '/nothing' }).reply?.status, 500, 'no backend at all');
  const spread = new Set([1, 2, 3, 4].map(() => request(60080, { host: 'split.example.com', path: '/books' }).target).filter((x) => x?.startsWith('10.0.0.1')));
  t.same([...spread].sort(), ['10.0.0.11:80', '10.0.0.12:80'], 'round-robin between the endpoints of a backend');
});

t.test('redirects carry the scheme and port the Gateway API derives from the listener', async (t) => {
  const { request } = load(configOf('redirects'));
  const location = (port: number, path: string) => request(port, { host: 'www.example.com', path }).reply?.headers['location'];
  t.equal(location(60080, '/scheme/a'), 'https://www.example.com:443/scheme/a', 'a scheme change takes that scheme\'s port');
  t.equal(location(60080, '/scheme-host/a'), 'https://secure.example.com/scheme-host/a', 'no :443 with a hostname');
  t.equal(location(60080, '/full?q=1'), 'http://www.example.com/new?q=1', 'listener port 80 is not written');
  t.equal(location(8080, '/full?q=1'), 'http://www.example.com:8080/new?q=1', 'the listener\'s port when the filter has none');
  t.equal(location(8080, '/host/x'), 'http://other.example.com:8080/host/x');
  t.equal(location(8080, '/port/x'), 'http://www.example.com:8443/port/x');
});

t.test('filters: redirect, URL rewrite, request and response header modifiers', async (t) => {
  const { request } = load(configOf('filters'));
  const host = 'filters.example.com';
  t.same(request(60080, { host, path: '/old/page?x=1' }).reply?.headers['location'], 'https://new.example.com/new/page?x=1');
  t.equal(request(60080, { host, path: '/old/page' }).reply?.status, 301);
  const moved = request(60080, { host: `${host}:80`, path: '/moved/a' }).reply;
  t.same([moved?.status, moved?.headers['location']], [302, 'http://filters.example.com:8443/moved/a']);
  const rewritten = request(60080, { host, path: '/v1/books?id=7' });
  t.same([rewritten.request.path, rewritten.request.headers['host']], ['/v2/books?id=7', 'internal.example.com']);
  t.equal(request(60080, { host, path: '/page?q' }).request.path, '/index.html?q');
  const headers = request(60080, { host, path: '/headers', headers: { 'x-trace': 'a0', 'x-internal': 'secret' } }, { server: 'upstream', 'cache-control': 'max-age=60' });
  t.same(headers.request.headers, { host, 'x-trace': 'a0,a1', 'x-gateway': 'fsm', 'x-backend': 'v1' }, 'set, add, remove; the backend-level filter too');
  t.same(headers.response, { 'cache-control': 'no-store' }, 'response headers set and removed');
});

t.test('an empty config listens nowhere and throws nothing', async (t) => {
  t.same(load({}).listeners, []);
});
