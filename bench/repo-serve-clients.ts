/**
 * Client side of bench/repo-serve.ts, run in one child process so that the
 * server process's CPU time is the server's alone. Each job is a batch of
 * Pipy 1.5.14-like syncs (a new TCP connection, `GET` of the manifest, `GET`
 * of every file it lists one at a time on that connection, then close) or
 * polls (a new connection carrying one `HEAD` of the manifest), run with a
 * fixed number in flight. Every response is checked: status 200, an etag,
 * and for `GET` a body of exactly `content-length` bytes; anything else is
 * counted as a failure and the first few are described.
 */
import { connectRawHttp, type RawHttpConnection, type RawHttpResponse } from './raw-http.js';

/** Sent once before any job: the codebase names, so jobs stay small messages. */
export interface ClientNames {
  names: string[];
}

export interface ClientJob {
  port: number;
  kind: 'sync' | 'poll';
  /** Job item i uses names[(offset + i) % names.length]. */
  offset: number;
  count: number;
  concurrency: number;
}

export interface ClientResult {
  /** Responses received and checked. */
  requests: number;
  failures: number;
  /** Up to five descriptions of failures. */
  samples: string[];
  /** CPU (user+system, µs) this client process used for the job: tells whether wall time was client-bound. */
  cpuUs: number;
}

const MAX_SAMPLES = 5;
/** Longest a sync or poll may take, connection included. */
const TIMEOUT_MS = 30_000;

function runJob(names: readonly string[], job: ClientJob): Promise<ClientResult> {
  const cpu0 = process.cpuUsage();
  const result: ClientResult = { requests: 0, failures: 0, samples: [], cpuUs: 0 };
  const fail = (what: string) => {
    result.failures++;
    if (result.samples.length < MAX_SAMPLES) result.samples.push(what);
  };
  const check = (res: RawHttpResponse, method: 'GET' | 'HEAD', path: string): boolean => {
    result.requests++;
    const length = res.headers.get('content-length');
    let problem = '';
    if (res.status !== 200) problem = `status ${res.status}`;
    else if (!res.headers.get('etag')) problem = 'no etag';
    else if (length === undefined) problem = 'no content-length';
    else if (method === 'GET' && res.body.length !== Number(length)) problem = `body ${res.body.length} bytes, content-length ${length}`;
    if (problem) fail(`${method} ${path}: ${problem}`);
    return !problem;
  };

  const sync = async (conn: RawHttpConnection, base: string) => {
    const manifest = await conn.request('GET', base);
    if (!check(manifest, 'GET', base)) return;
    const paths = manifest.body.toString('utf8').split('\n').filter(Boolean);
    if (paths.length === 0) return fail(`GET ${base}: empty manifest`);
    for (const p of paths) {
      const path = `${base}${p.slice(1)}`;
      check(await conn.request('GET', path), 'GET', path);
    }
  };
  const poll = async (conn: RawHttpConnection, base: string) => {
    check(await conn.request('HEAD', base), 'HEAD', base);
  };
  const one = job.kind === 'sync' ? sync : poll;

  let next = 0;
  const worker = async () => {
    while (next < job.count) {
      const base = `/repo/${names[(job.offset + next++) % names.length] as string}/`;
      let conn: RawHttpConnection | undefined;
      let timedOut = false;
      // A response that never completes (short body, no answer) must fail the run, not hang it.
      const timer = setTimeout(() => {
        timedOut = true;
        conn?.close();
      }, TIMEOUT_MS);
      try {
        conn = await connectRawHttp(job.port);
        await one(conn, base);
      } catch (err) {
        fail(`${job.kind} ${base}: ${timedOut ? `no complete answer within ${TIMEOUT_MS} ms` : err instanceof Error ? err.message : String(err)}`);
      } finally {
        clearTimeout(timer);
        conn?.close();
      }
    }
  };
  return Promise.all(Array.from({ length: Math.max(1, job.concurrency) }, worker)).then(() => {
    const cpu = process.cpuUsage(cpu0);
    result.cpuUs = cpu.user + cpu.system;
    return result;
  });
}

let names: string[] = [];
process.on('message', (m: ClientNames | ClientJob) => {
  if ('names' in m) {
    names = m.names;
    return;
  }
  void runJob(names, m).then((r) => process.send?.(r));
});
// If the benchmark dies, its IPC channel closes: do not linger as an orphan loading the machine.
process.on('disconnect', () => process.exit(0));
