/**
 * xDS fan-out benchmark: one update of a shared ~20 KB ClusterLoadAssignment
 * to N ADS streams held by client processes separate from the server
 * (bench/xds-fanout-clients.ts, forked K times, one HTTP/2 connection per
 * stream). Reports the time from the update until each stream has it (p50,
 * p99, last), against a baseline measured in the same run: a bare grpc-js
 * server writing the same pre-encoded bytes to the same number of streams.
 * Also reports server RSS growth per idle connected stream, and the encode
 * counters (Any envelopes, response bodies) for the update.
 *
 * Where the time goes (printed per run, ms after the update, first / median /
 * last stream): ours — the cache answered the stream's watch, the stream
 * took its response (and encoded it), the JavaScript of the update was done
 * (the first check phase after it: grpc-js has handed every write to HTTP/2,
 * and Node's HTTP/2 sessions send from there); the bare server — the write
 * loop ended, then the same check phase; both — the clients received it.
 * Run: `npm run build`, then `npm run bench -- xds-fanout` (SIZES=1000,5000 CLIENT_PROCS=4).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  encodeCounter,
  encodeResource,
  envelopeCounter,
  typeForUrl,
  TypeUrl,
  type ConfigWatcher,
  type Resource,
} from '../src/index.js';

const SIZES = (process.env.SIZES ?? '1000,5000').split(',').map(Number);
const PROCS = Number(process.env.CLIENT_PROCS ?? 4);
const ADS_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

/** A ClusterLoadAssignment named "fanout" of about 20 KB (`seed` changes one port). */
function cla(seed: number): Resource {
  const lbEndpoints = Array.from({ length: 800 }, (_, i) => ({
    endpoint: { address: { socket_address: { address: `10.${(i >> 8) & 255}.${i & 255}.${seed % 250}`, port_value: 8000 + (i % 1000) } } },
    load_balancing_weight: 1,
  }));
  return encodeResource({
    '@type': TypeUrl.Endpoint,
    cluster_name: 'fanout',
    endpoints: [{ locality: { region: 'bench', zone: `z-${seed}` }, load_balancing_weight: 1, lb_endpoints: lbEndpoints }],
  });
}

/** Times (performance.now()) of the steps of the update in the server, per stream where they are per stream. */
interface Steps {
  /** Ours: the cache answered a stream's watch with the update. */
  answered: number[];
  /** Ours: a stream took the update from its queue (to encode and write it). */
  taken: number[];
  /** Bare: the write loop ended. */
  written: number[];
  /** The first check phase after the update: every write is with HTTP/2, which sends from here. */
  jsDone: number[];
}

interface Target {
  readonly port: number;
  /** Sends the update; resolves once handed to the transport. */
  update(): void;
  readonly version: string;
  readonly steps: Steps;
  close(): Promise<void>;
}

const noSteps = (): Steps => ({ answered: [], taken: [], written: [], jsDone: [] });

async function ourServer(): Promise<Target> {
  const cache = createSnapshotCache({ nodeHash: () => 'all' });
  const v1 = cla(1);
  const v2 = cla(2);
  cache.setSnapshot('all', createSnapshot({ resources: { [TypeUrl.Endpoint]: [v1] } }));
  const next = createSnapshot({ resources: { [TypeUrl.Endpoint]: [v2] } });
  const steps = noSteps();
  const version = next.version(TypeUrl.Endpoint);
  // The cache as the server sees it, noting when each watch is answered with the update.
  const watcher: ConfigWatcher = {
    createWatch: (req, sub, respond) =>
      cache.createWatch(req, sub, (res) => {
        if (res.version === version) steps.answered.push(performance.now());
        respond(res);
      }),
    createDeltaWatch: (req, sub, respond) => cache.createDeltaWatch(req, sub, respond),
    streamOpened: (id, node) => cache.streamOpened(id, node),
    streamClosed: (id, node) => cache.streamClosed(id, node),
    recordProgress: (node, event, progress) => cache.recordProgress(node, event, progress),
  };
  const callbacks = {
    onStreamResponse: (_id: number, _req: unknown, res: { versionInfo: string }) => void (res.versionInfo === version && steps.taken.push(performance.now())),
  };
  const server = createXdsServer({ watcher, legacyWildcard: false, callbacks });
  const port = await server.listen('127.0.0.1:0');
  return {
    port,
    version,
    steps,
    update: () => {
      cache.setSnapshot('all', next);
      setImmediate(() => steps.jsDone.push(performance.now()));
    },
    close: () => server.close({ graceMs: 0 }),
  };
}

/** The floor: a grpc-js server that writes one pre-encoded DiscoveryResponse to every stream. */
async function bareServer(): Promise<Target> {
  const resType = typeForUrl('type.googleapis.com/envoy.service.discovery.v3.DiscoveryResponse');
  if (!resType) throw new Error('no DiscoveryResponse type');
  const body = (r: Resource, version: string) =>
    Buffer.from(resType.encode(resType.create({ versionInfo: version, typeUrl: TypeUrl.Endpoint, nonce: version, resources: [{ type_url: r.typeUrl, value: r.bytes }] })).finish());
  const first = body(cla(1), 'v1');
  const second = body(cla(2), 'v2');
  const calls = new Set<grpc.ServerDuplexStream<Buffer, Buffer>>();
  const server = new grpc.Server();
  const id = (b: Buffer) => b;
  server.addService(
    { ads: { path: ADS_METHOD, requestStream: true, responseStream: true, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id } },
    {
      ads: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        let started = false;
        call.on('data', () => {
          if (started) return;
          started = true;
          calls.add(call);
          call.write(first);
        });
        call.on('error', () => calls.delete(call));
        call.on('end', () => calls.delete(call));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const steps = noSteps();
  return {
    port,
    version: 'v2',
    steps,
    update: () => {
      for (const c of calls) c.write(second);
      steps.written.push(performance.now());
      setImmediate(() => steps.jsDone.push(performance.now()));
    },
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

const here = fileURLToPath(new URL('./xds-fanout-clients.js', import.meta.url));

function waitFor(children: ChildProcess[], type: string): Promise<Record<string, unknown>[]> {
  return Promise.all(
    children.map((c) => new Promise<Record<string, unknown>>((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (m.type !== type) return;
        c.off('message', on);
        resolve(m);
      };
      c.on('message', on);
    })),
  );
}

async function settle(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 200));
  }
  return process.memoryUsage().rss;
}

interface Run {
  connected: number;
  failed: number;
  p50: number;
  p99: number;
  last: number;
  rssPerStreamKb: number;
  anyEncodes: number;
  bodyEncodes: number;
  /** The update's steps, ms after it started: first, median and last of each. */
  breakdown: string;
}

/** First / median / last of `times`, ms after `t0`; '' when the step did not occur. */
function spread(label: string, times: readonly number[], t0: number): string {
  if (times.length === 0) return '';
  const s = times.map((t) => t - t0).sort((a, b) => a - b);
  const f = (x: number | undefined) => (x ?? NaN).toFixed(1);
  return s.length === 1 ? `${label} ${f(s[0])}` : `${label} ${f(s[0])} / ${f(s[s.length >> 1])} / ${f(s[s.length - 1])}`;
}

async function measure(kind: 'ours' | 'bare', n: number): Promise<Run> {
  const target = kind === 'ours' ? await ourServer() : await bareServer();
  const rssBefore = await settle();
  const per = Math.ceil(n / PROCS);
  const children = Array.from({ length: PROCS }, (_, i) => fork(here, [`127.0.0.1:${target.port}`, String(Math.min(per, n - i * per)), `${kind}-${i}`], { stdio: 'inherit' }));
  const readyMsgs = await waitFor(children, 'ready');
  const connected = readyMsgs.reduce((sum, m) => sum + Number(m.count), 0);
  const failed = readyMsgs.reduce((sum, m) => sum + Number(m.failed), 0);
  const rssAfter = await settle();
  const expecting = waitFor(children, 'expecting');
  for (const c of children) c.send({ type: 'expect', version: target.version });
  await expecting;
  const received = waitFor(children, 'received');
  const anyBefore = encodeCounter.any;
  const bodiesBefore = envelopeCounter.sotwBodies;
  const t0 = Date.now();
  const t0Perf = performance.now();
  target.update();
  const times = (await received).flatMap((m) => m.times as number[]).map((t) => t - t0).sort((a, b) => a - b);
  const { steps } = target;
  const breakdown = [
    spread('cache answered', steps.answered, t0Perf),
    spread('taken and encoded', steps.taken, t0Perf),
    spread('write loop done', steps.written, t0Perf),
    spread('JS done', steps.jsDone, t0Perf),
    spread('received (clients, ms clock)', times, 0),
  ]
    .filter(Boolean)
    .join('; ');
  const run: Run = {
    p50: times[Math.floor(times.length * 0.5)] ?? NaN,
    p99: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] ?? NaN,
    last: times[times.length - 1] ?? NaN,
    rssPerStreamKb: (rssAfter - rssBefore) / connected / 1024,
    connected,
    failed,
    anyEncodes: encodeCounter.any - anyBefore,
    bodyEncodes: envelopeCounter.sotwBodies - bodiesBefore,
    breakdown,
  };
  const exits = children.map((c) => new Promise((r) => c.once('exit', r)));
  for (const c of children) c.send({ type: 'close' });
  await Promise.all(exits);
  await target.close();
  return run;
}

console.log(`xds-fanout: ${cla(1).bytes.length} B ClusterLoadAssignment, ${PROCS} client processes, one connection per stream`);
for (const n of SIZES) {
  const bare = await measure('bare', n);
  const ours = await measure('ours', n);
  const f = (x: number) => `${x.toFixed(0)} ms`;
  console.log(`N=${n} (streams connected: baseline ${bare.connected}, ours ${ours.connected}; failed: ${bare.failed}, ${ours.failed})`);
  console.log(`  baseline (bare grpc-js, pre-encoded bytes): p50 ${f(bare.p50)}  p99 ${f(bare.p99)}  last ${f(bare.last)}  RSS/stream ${bare.rssPerStreamKb.toFixed(1)} KB`);
  console.log(`  fsm-control-plane (snapshot cache + ADS):   p50 ${f(ours.p50)}  p99 ${f(ours.p99)}  last ${f(ours.last)}  RSS/stream ${ours.rssPerStreamKb.toFixed(1)} KB`);
  console.log(`  ratio ours/baseline: p50 ${(ours.p50 / bare.p50).toFixed(2)}x  p99 ${(ours.p99 / bare.p99).toFixed(2)}x  last ${(ours.last / bare.last).toFixed(2)}x (target <= 1.5x)`);
  console.log(`  encodes for one update to ${n} streams: Any envelopes ${ours.anyEncodes}, DiscoveryResponse bodies ${ours.bodyEncodes}`);
  console.log(`  where the time went, ms after the update (first / median / last stream):`);
  console.log(`    baseline: ${bare.breakdown}`);
  console.log(`    ours:     ${ours.breakdown}`);
}
