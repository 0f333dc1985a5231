/**
 * Client side of bench/controller-scale.ts, run in a child process:
 * `repo` — Pipy-like pollers (initial load, HEAD every 5 s on a new
 * connection, admin-link WebSocket, config download on `reload` or a new
 * etag); `xds` — one ADS stream per proxy subscribed to its SidecarConfig.
 * Each client reports the config Version it holds and when it got it.
 */
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { TypeUrl } from '../cache/types.js';
import { createAdsClient } from '../server/transport/ads-client.js';

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

function httpCall(method: string, path: string): Promise<{ status: number; etag: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: String(res.headers.etag ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function repoClient(t: Target): Promise<void> {
  const base = `/repo/fsm-sidecar/${t.cn}/`;
  let etag = '';
  let loading = false;
  const load = async () => {
    if (loading) return;
    loading = true;
    try {
      const manifest = await httpCall('GET', base);
      const conf = await httpCall('GET', `${base}config.json`);
      etag = manifest.etag;
      const version = (JSON.parse(conf.body) as { Version?: string }).Version ?? '';
      send({ kind: 'version', transport: 'repo', uuid: t.uuid, version, at: Date.now() });
    } finally {
      loading = false;
    }
  };
  await load();
  const ws = new WebSocket(`ws://127.0.0.1:${port}${base}${randomUUID()}`, { perMessageDeflate: false });
  ws.on('message', (data) => {
    if (data.toString() === 'reload') void load().catch(() => undefined);
  });
  ws.on('error', () => undefined);
  await new Promise<void>((resolve) => ws.once('open', () => resolve()));
  const poll = setTimeout(function tick() {
    void httpCall('HEAD', base)
      .then((h) => (h.status === 200 && h.etag !== etag ? load() : undefined))
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
  const report = (res: typeof first) => {
    const msg = res.resources[0]?.message as { version?: string } | undefined;
    send({ kind: 'version', transport: 'xds', uuid: t.uuid, version: msg?.version ?? '', at: Date.now() });
    client.ack(res);
  };
  report(first);
  void (async () => {
    for await (const res of client) report(res);
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

process.on('message', (m: { targets: Target[] }) => {
  void runAll(m.targets, 50, transport === 'repo' ? repoClient : xdsClient).then((count) => send({ kind: 'ready', count }));
});
process.on('SIGTERM', () => {
  for (const c of closers) c();
  process.exit(0);
});
