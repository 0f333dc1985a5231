import { readFile } from 'node:fs/promises';
import { runInNewContext } from 'node:vm';
import t from 'tap';

// The default main.js is PipyJS, which is plain JavaScript: it runs here in a
// VM context against a recording stand-in for Pipy's configuration API, so
// what it declares (listeners, targets, refusals) can be checked without a
// Pipy binary. A real Pipy 1.5.14 treats a script that listens on nothing as
// finished and never starts it: both listeners must exist for every config.
const source = await readFile(new URL('../../src/pipy-base/default/main.js', import.meta.url), 'utf8');

interface Branch {
  /** The connect target and options, or undefined when the connection is refused. */
  connect?: { target: string; options: Record<string, unknown> };
  refusedWith?: string;
}

interface Listener {
  port: number;
  options: Record<string, unknown>;
  /** Runs the stream-start handler and the branch for one connection. */
  accept(destinationAddress: string, destinationPort: number): Branch;
}

function runMain(config: unknown): Listener[] {
  type Layout = (sub: Record<string, (...args: unknown[]) => unknown>) => unknown;
  const sandbox: Record<string, unknown> = {};
  const declared: { port: number; options: Record<string, unknown>; onStart?: () => void; branch?: unknown[] }[] = [];
  const current = () => declared[declared.length - 1] as (typeof declared)[number];
  const builder = {
    listen(port: number, options: Record<string, unknown>) {
      declared.push({ port, options });
      return builder;
    },
    handleStreamStart(fn: () => void) {
      current().onStart = fn;
      return builder;
    },
    branch(...args: unknown[]) {
      current().branch = args;
      return builder;
    },
  };
  const pipy = Object.assign((context: Record<string, unknown>) => (Object.assign(sandbox, context), builder), {
    load: (path: string) => (path === 'config.json' ? JSON.stringify(config) : null),
  });
  class StreamEnd {
    constructor(readonly type: string) {}
  }
  Object.assign(sandbox, { pipy, StreamEnd, JSON: { decode: (text: string | null) => (text === null ? null : JSON.parse(text)) } });
  runInNewContext(source, sandbox);

  return declared.map((d) => ({
    port: d.port,
    options: d.options,
    accept(destinationAddress, destinationPort) {
      sandbox['__inbound'] = { destinationAddress, destinationPort };
      d.onStart?.();
      const [condition, forward, refuse] = (d.branch ?? []) as [() => unknown, Layout, Layout];
      const result: Branch = {};
      const sub = {
        connect: (target: unknown, options: unknown) => {
          result.connect = { target: (target as () => string)(), options: options as Record<string, unknown> };
        },
        replaceStreamStart: (event: unknown) => {
          result.refusedWith = (event as StreamEnd).type;
        },
      };
      (condition() ? forward : refuse)(sub);
      return result;
    },
  }));
}

const listenerOn = (listeners: Listener[], port: number) => {
  const found = listeners.find((l) => l.port === port);
  if (!found) throw new Error(`no listener on ${port}`);
  return found;
};

t.test('a config without traffic matches still listens on 15003 and 15001, and refuses every connection', async (t) => {
  const listeners = runMain({ Spec: { Traffic: { EnableEgress: false } } });
  t.same(listeners.map((l) => l.port).sort(), [15001, 15003]);
  for (const l of listeners) t.equal(l.options['transparent'], true, `${l.port} is transparent`);
  t.same(listenerOn(listeners, 15003).accept('10.0.0.9', 14001), { refusedWith: 'ConnectionReset' });
  t.same(listenerOn(listeners, 15001).accept('10.0.0.9', 14001), { refusedWith: 'ConnectionReset' });
});

t.test('an empty config.json (the default base) listens on both ports too', async (t) => {
  const listeners = runMain({});
  t.same(listeners.map((l) => l.port).sort(), [15001, 15003]);
  t.same(listenerOn(listeners, 15001).accept('10.0.0.9', 80), { refusedWith: 'ConnectionReset' });
});

t.test('inbound forwards a matched port to the application on loopback from 127.0.0.6; other ports are refused', async (t) => {
  const inbound = listenerOn(runMain({ Inbound: { TrafficMatches: { '14001': { Port: 14001, Protocol: 'http' } } } }), 15003);
  const forwarded = inbound.accept('10.244.1.20', 14001);
  t.equal(forwarded.connect?.target, '127.0.0.1:14001');
  t.equal(forwarded.connect?.options['bind'], '127.0.0.6');
  t.same(inbound.accept('10.244.1.20', 14002), { refusedWith: 'ConnectionReset' });
});

t.test('outbound forwards a matched port to its original destination; with egress every port', async (t) => {
  const matched = listenerOn(runMain({ Outbound: { TrafficMatches: { '14001': [{ Port: 14001 }] } } }), 15001);
  t.equal(matched.accept('10.96.0.15', 14001).connect?.target, '10.96.0.15:14001');
  t.same(matched.accept('10.96.0.15', 443), { refusedWith: 'ConnectionReset' });

  const egress = listenerOn(runMain({ Spec: { Traffic: { EnableEgress: true } } }), 15001);
  t.equal(egress.accept('93.184.216.34', 443).connect?.target, '93.184.216.34:443');
});

t.test('SidecarTimeout sets the listener and connect timeouts; 60 s without it', async (t) => {
  const timed = runMain({ Spec: { SidecarTimeout: 15 }, Inbound: { TrafficMatches: { '8080': {} } } });
  const inbound = listenerOn(timed, 15003);
  t.equal(inbound.options['idleTimeout'], 15);
  t.equal(inbound.accept('10.0.0.1', 8080).connect?.options['connectTimeout'], 15);
  t.equal(listenerOn(runMain({}), 15001).options['readTimeout'], 60);
});
