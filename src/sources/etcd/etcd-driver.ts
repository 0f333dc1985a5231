/**
 * etcd v3 through its HTTP/JSON gateway (`/v3/kv/range`, `/v3/watch`,
 * served by etcd 3.4 and later): one range of the prefix, then one watch
 * from the revision after it. Every event moves the revision on; a watch
 * that ends, or stays without any message for `watchTimeout`, is opened
 * again from there (no relisting: etcd replays what was missed), and one
 * that is not even created within `watchTimeout` is a failure; a watch
 * refused because that revision was compacted starts over with a fresh
 * range. The gateway was chosen over etcd's gRPC API so that no generated
 * etcd stubs or extra client have to be carried: the JSON mapping is
 * etcd's own (grpc-gateway), keys and values are base64, and a watch is a
 * newline-delimited stream of `{"result": WatchResponse}`.
 */
import { createHttpClient, HttpRequestError } from '../../shared/http-request.js';
import type { CatalogDriver, DriverTuning } from '../catalog/catalog-source.js';
import type { CatalogSink } from '../catalog/catalog-state.js';
import type { CatalogInstance } from '../catalog/instance.js';
import { RegistryError, expectOk, parseJsonAnswer } from '../catalog/registry-error.js';
import type { EtcdConfig } from './config.js';
import { endpointInstance, serviceOfKey } from './etcd-endpoints.js';

export interface EtcdDriverOptions extends DriverTuning {
  readonly config: EtcdConfig;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const unb64 = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : '');

/** The end of the range of keys starting with `prefix` (etcd's GetPrefixRangeEnd). */
function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

class Compacted extends Error {}

export function createEtcdDriver(o: EtcdDriverOptions): CatalogDriver {
  const c = o.config;
  const http = createHttpClient({ baseUrl: c.url, maxBytes: c.maxPayloadBytes });
  const keyPrefix = `${c.prefix}/`;
  const range = { key: b64(keyPrefix), range_end: b64(prefixEnd(keyPrefix)) };
  const timeoutMs = o.silenceMs * 3;
  let token: string | undefined;

  async function authenticate(signal: AbortSignal): Promise<void> {
    if (!c.username || token) return;
    const res = await http.request({ method: 'POST', path: '/v3/auth/authenticate', body: { name: c.username, password: c.password ?? '' }, timeoutMs, signal });
    expectOk(res, `authenticate as "${c.username}"`);
    const body = parseJsonAnswer(res.body, 'authenticate') as { token?: unknown };
    if (typeof body.token !== 'string') throw new RegistryError('E8001', 'authenticate: no token in the answer');
    token = body.token;
  }

  const headers = () => (token ? { authorization: token } : undefined);

  /** Unauthorized answers drop the token (it may have expired) so the next attempt authenticates again. */
  function checkAuth(status: number, body: Buffer, what: string): void {
    if (status === 401 || /invalid auth token|token is expired/.test(body.toString('utf8'))) token = undefined;
    expectOk({ status, body }, what);
  }

  async function list(signal: AbortSignal): Promise<{ revision: number; kvs: Map<string, string> }> {
    await authenticate(signal);
    const h = headers();
    const res = await http.request({ method: 'POST', path: '/v3/kv/range', body: range, timeoutMs, signal, ...(h ? { headers: h } : {}) });
    checkAuth(res.status, res.body, `range ${keyPrefix}`);
    const body = parseJsonAnswer(res.body, `range ${keyPrefix}`) as { header?: { revision?: unknown }; kvs?: { key?: unknown; value?: unknown }[] };
    const revision = Number(body.header?.revision);
    if (!(revision > 0)) throw new RegistryError('E8001', `range ${keyPrefix}: no revision in the answer`);
    return { revision, kvs: new Map((body.kvs ?? []).map((kv) => [unb64(kv.key), unb64(kv.value)])) };
  }

  function instancesOf(kvs: Map<string, string>): Map<string, CatalogInstance[]> {
    const out = new Map<string, CatalogInstance[]>();
    for (const [key, value] of kvs) {
      const service = serviceOfKey(c.prefix, key);
      const inst = service === undefined ? undefined : endpointInstance(service, value, c.protocol);
      if (!service || !inst) continue;
      const l = out.get(service);
      if (l) l.push(inst);
      else out.set(service, [inst]);
    }
    return out;
  }

  /** One watch from `from`; returns the revision to go on from when it ends or goes silent. */
  async function watch(from: number, kvs: Map<string, string>, sink: CatalogSink, signal: AbortSignal): Promise<number> {
    let revision = from - 1;
    let pending = '';
    let created = false;
    const handle = (line: string) => {
      const msg = JSON.parse(line) as { result?: Record<string, any>; error?: { message?: string } };
      if (msg.error) throw new RegistryError('E8001', `watch ${keyPrefix}: ${msg.error.message ?? 'error'}`);
      const r = msg.result ?? {};
      if (Number(r.compact_revision) > 0) throw new Compacted(`revision ${from} compacted (at ${String(r.compact_revision)})`);
      if (r.canceled) throw new RegistryError('E8001', `watch ${keyPrefix} canceled: ${String(r.cancel_reason ?? '')}`);
      if (r.created) {
        created = true;
        sink.succeeded('main');
      }
      const events = (r.events ?? []) as unknown[];
      // A progress notification (no events, not the creation) vouches for every revision up to its header's.
      if (!r.created && events.length === 0) revision = Math.max(revision, Number(r.header?.revision) || 0);
      const touched = new Set<string>();
      for (const ev of (r.events ?? []) as { type?: string; kv?: { key?: unknown; value?: unknown; mod_revision?: unknown } }[]) {
        const key = unb64(ev.kv?.key);
        if (ev.type === 'DELETE') kvs.delete(key);
        else kvs.set(key, unb64(ev.kv?.value));
        const service = serviceOfKey(c.prefix, key);
        if (service) touched.add(service);
        revision = Math.max(revision, Number(ev.kv?.mod_revision) || 0);
      }
      if (touched.size > 0) {
        const all = instancesOf(kvs);
        sink.setServices(new Map([...touched].sort().map((s) => [s, all.get(s) ?? []])));
      }
    };
    await authenticate(signal);
    const h = headers();
    try {
      const res = await http.stream({
        method: 'POST',
        path: '/v3/watch',
        // progress_notify: a quiet watch hears of the revisions it vouches for (at etcd's
        // --experimental-watch-progress-notify-interval), so a watch opened again starts from there.
        body: { create_request: { ...range, start_revision: String(from), progress_notify: true } },
        inactivityMs: c.watchTimeoutMs,
        signal,
        ...(h ? { headers: h } : {}),
        onData(chunk) {
          pending += chunk.toString('utf8');
          if (pending.length > c.maxPayloadBytes) throw new RegistryError('E8002', `watch ${keyPrefix}: a message larger than the limit of ${c.maxPayloadBytes} bytes`);
          let nl: number;
          while ((nl = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, nl).trim();
            pending = pending.slice(nl + 1);
            if (line) handle(line);
          }
        },
      });
      checkAuth(res.status, res.body, `watch ${keyPrefix}`);
    } catch (err) {
      // A watch that was running and went quiet is routine (the connection may have died silently, or
      // nothing changed): watch again from where it was. One that never started is a failure.
      if (!(err instanceof HttpRequestError && err.failure === 'timeout')) throw err;
      if (!created) throw new RegistryError('E8000', `watch ${keyPrefix}: not created within ${c.watchTimeoutMs} ms`);
      o.logger.debug('etcd watch silent, watching again', { source: c.name, revision });
    }
    return revision + 1;
  }

  async function run(sink: CatalogSink, signal: AbortSignal): Promise<void> {
    const listed = await list(signal);
    const kvs = listed.kvs;
    sink.replaceAll(instancesOf(kvs));
    sink.succeeded('main');
    let next = listed.revision + 1;
    while (!signal.aborted) {
      try {
        next = await watch(next, kvs, sink, signal);
      } catch (err) {
        if (err instanceof Compacted) {
          o.logger.info('etcd watch revision compacted; listing again', { source: c.name, error: err.message });
          return;
        }
        throw err;
      }
    }
  }

  return { run, close: () => http.close() };
}
