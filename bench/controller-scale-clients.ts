/**
 * Client side of bench/controller-scale.ts, run in a child process:
 * `repo` — Pipy-like pollers (initial load, HEAD and a status POST every 5 s, each on a new
 * connection, admin-link WebSocket, and on `reload` or a new etag the
 * manifest and every file it lists over one connection); `xds` — one ADS
 * stream per proxy subscribed to its SidecarConfig. Each client reports the config Version it holds and when it got it.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { TypeUrl } from '../cache/types.js';
import { createAdsClient } from '../server/transport/ads-client.js';
import { connectRawHttp } from './raw-http.js';

interface Target {
  uuid: string;
  cn: string;
}

const [transport, portArg] = process.argv.slice(2);
const port = Number(portArg);
const POLL_MS = 5000;
const closers: (() => void)[] = [];

function send(msg: object): void {
  process.send?.(msg);
}

// Version reports go to the parent in batches: one IPC message per proxy update would cost the
// measuring process more than the updates themselves. A report keeps the time it was made.
let reports: object[] = [];
function report(msg: object): void {
  if (reports.length === 0) setTimeout(() => {
    send({ kind: 'versions', reports });
    reports = [];
  }, 20);
  reports.push(msg);
}

// "Version" is a plain string field of the config: reading it by pattern keeps
// 2,000 clients from parsing every config on the cores the controller uses too.
const VERSION = /"Version":"([^"]*)"/;
const startedAt = Date.now();
const MODULE_GRAPH = { graph: { roots: [0], nodes: Array.from({ length: 24 }, (_, i) => ({ name: `[0.0.0.0]:${15000 + i}`, t: 'root', c: [i + 1] })) }, padding: 'x'.repeat(1500) };

async function repoClient(t: Target): Promise<void> {
  const base = `/repo/fsm-sidecar/${t.cn}/`;
  let etag = '';
  let loading = false;
  // Like Pipy's CodebaseFromHTTP: one connection per sync carrying the manifest and every file it lists, closed afterwards.
  const load = async () => {
    if (loading) return;
    loading = true;
    const conn = await connectRawHttp(port).catch(() => undefined);
    try {
      if (!conn) return;
      const manifest = await conn.request('GET', base);
      let version = '';
      for (const path of manifest.body.toString('utf8').split('\n').filter(Boolean)) {
        const file = await conn.request('GET', `${base}${path.slice(1)}`);
        if (path === '/config.json') version = VERSION.exec(file.body.toString('utf8'))?.[1] ?? '';
      }
      etag = manifest.headers.get('etag') ?? '';
      report({ kind: 'version', transport: 'repo', uuid: t.uuid, version, at: Date.now() });
    } finally {
      conn?.close();
      loading = false;
    }
  };
  await load();
  const instance = randomUUID();
  // Pipy's status report carries its pipeline graph and metrics: about 2.8 KB for the default base.
  const status = (version: string) => JSON.stringify({ timestamp: Date.now(), since: startedAt, uuid: instance, name: '', ip: '127.0.0.1', version, modules: { '/main.js': MODULE_GRAPH } });
  const ws = new WebSocket(`ws://127.0.0.1:${port}${base}${instance}`, { perMessageDeflate: false });
  ws.on('message', (data) => {
    if (data.toString() === 'reload') void load().catch(() => undefined);
  });
  ws.on('error', () => undefined);
  await new Promise<void>((resolve) => ws.once('open', () => resolve()));
  const poll = setTimeout(function tick() {
    void connectRawHttp(port)
      .then(async (conn) => {
        const head = await conn.request('HEAD', base).finally(() => conn.close());
        if (head.status === 200 && head.headers.get('etag') !== etag) await load();
        const report = await connectRawHttp(port);
        await report.request('POST', base, status(etag)).finally(() => report.close());
      })
      .catch(() => undefined)
      .finally(() => {
        timer = setTimeout(tick, POLL_MS);
      });
  }, Math.random() * POLL_MS);
  let timer: NodeJS.Timeout = poll;
  closers.push(() => {
    clearTimeout(timer);
    ws.terminate();
  });
}

async function xdsClient(t: Target): Promise<void> {
  const client = createAdsClient({ address: `127.0.0.1:${port}`, node: { id: t.cn, cluster: 'bench' } });
  closers.push(() => client.close());
  client.subscribe(TypeUrl.PipySidecarConfig, [t.cn]);
  const first = await client.next({ timeoutMs: 120_000 });
  const received = (res: typeof first) => {
    const msg = res.resources[0]?.message as { version?: string } | undefined;
    report({ kind: 'version', transport: 'xds', uuid: t.uuid, version: msg?.version ?? '', at: Date.now() });
    client.ack(res);
  };
  received(first);
  void (async () => {
    for await (const res of client) received(res);
  })().catch(() => undefined);
}

async function runAll(targets: Target[], concurrency: number, fn: (t: Target) => Promise<void>): Promise<number> {
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < targets.length) {
      const t = targets[next++] as Target;
      await fn(t).then(() => ok++, (err: unknown) => console.error(`${transport} client ${t.uuid}: ${String(err)}`));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ok;
}

process.on('message', (m: { targets?: Target[]; cpu?: boolean }) => {
  if (m.cpu) {
    const u = process.cpuUsage();
    send({ kind: 'cpu', cpuMs: (u.user + u.system) / 1000 });
    return;
  }
  void runAll(m.targets ?? [], 50, transport === 'repo' ? repoClient : xdsClient).then((count) => send({ kind: 'ready', count }));
});
const stop = () => {
  for (const c of closers) c();
  process.exit(0);
};
process.on('SIGTERM', stop);
// If the benchmark dies, its IPC channel closes: do not linger as an orphan loading the machine.
process.on('disconnect', stop);
