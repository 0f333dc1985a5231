/**
 * Consul's HTTP API, as consul-template and consul-k8s's catalog sync read
 * it: a blocking query on `/v1/catalog/services` for the set of services,
 * and one blocking query per service on `/v1/health/service/<name>`
 * (`passing` when passingOnly) for its healthy instances. Each blocking
 * query carries the index of the previous answer and `wait`; an answer
 * with an unchanged index changes nothing, an index that went backwards
 * (a restored snapshot, another server) starts that query again from 0,
 * as Consul's documentation asks.
 *
 * A request gets `wait` plus Consul's wait/16 of jitter plus `silenceMs`
 * (10 s) to answer; past that the watch is silent and is started again. A service
 * watch that fails backs off on its own (with jitter) while the others go
 * on; the source is stale while any fails. When the services query itself
 * fails, the whole driver starts over with a fresh listing (after the
 * source's backoff), keeping everything it had meanwhile.
 *
 * One connection per watched service: Consul agents allow 200 concurrent
 * connections per client address by default (limits.http_max_conns_per_client);
 * raise it, or narrow the source with `service=`, when a source watches
 * more services than that.
 */
import { setMaxListeners } from 'node:events';
import { createBackoff, sleep } from '../../shared/backoff.js';
import { createHttpClient, type HttpClient } from '../../shared/http-request.js';
import { mapLimit } from '../../shared/map-limit.js';
import type { CatalogDriver, DriverTuning } from '../catalog/catalog-source.js';
import type { CatalogSink } from '../catalog/catalog-state.js';
import { stringMap, type CatalogInstance } from '../catalog/instance.js';
import { RegistryError, expectOk, parseJsonAnswer, toRegistryError } from '../catalog/registry-error.js';
import type { ConsulConfig } from './config.js';

export interface ConsulDriverOptions extends DriverTuning {
  readonly config: ConsulConfig;
}

/** Consul lists itself as a service; FSM leaves it out, and so do we. */
const CONSUL_ITSELF = 'consul';
/** Instance lists fetched at once during a full listing. */
const LIST_CONCURRENCY = 32;
const PLAIN_TIMEOUT_MS = 30_000;

interface Answer {
  readonly index: number;
  readonly body: unknown;
}

export function consulHttpClient(config: ConsulConfig): HttpClient {
  return createHttpClient({ baseUrl: config.url, maxBytes: config.maxPayloadBytes, headers: config.token ? { 'x-consul-token': config.token } : {} });
}

export function createConsulDriver(o: ConsulDriverOptions): CatalogDriver {
  const c = o.config;
  const http = consulHttpClient(c);
  const blockingTimeoutMs = c.waitMs + c.waitMs / 16 + o.silenceMs;

  async function get(path: string, what: string, query: Record<string, string | undefined>, index: number | undefined, signal: AbortSignal): Promise<Answer> {
    const res = await http.request({
      path,
      query: {
        ...query,
        dc: c.datacenter,
        stale: c.stale ? '' : undefined,
        index: index ? String(index) : undefined,
        wait: index ? `${Math.round(c.waitMs)}ms` : undefined,
      },
      timeoutMs: index ? blockingTimeoutMs : PLAIN_TIMEOUT_MS,
      signal,
    });
    expectOk(res, what);
    const header = Number(res.headers['x-consul-index']);
    if (!(header > 0)) throw new RegistryError('E8001', `${what}: answer without a positive X-Consul-Index`);
    return { index: header, body: parseJsonAnswer(res.body, what) };
  }

  function serviceNames(body: unknown): string[] {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new RegistryError('E8001', 'catalog services: the answer is not an object of service names');
    return Object.keys(body).filter((n) => n !== CONSUL_ITSELF).sort();
  }

  function instances(name: string, body: unknown): CatalogInstance[] {
    if (!Array.isArray(body)) throw new RegistryError('E8001', `health of "${name}": the answer is not a list`);
    const out: CatalogInstance[] = [];
    for (const entry of body as { Node?: { Address?: unknown }; Service?: Record<string, unknown> }[]) {
      const s = entry?.Service;
      if (!s || typeof s !== 'object') throw new RegistryError('E8001', `health of "${name}": an entry has no Service`);
      const address = typeof s.Address === 'string' && s.Address !== '' ? s.Address : typeof entry.Node?.Address === 'string' ? entry.Node.Address : '';
      out.push({
        service: name,
        address,
        port: typeof s.Port === 'number' ? s.Port : 0,
        protocol: c.protocol,
        metadata: stringMap(s.Meta),
        tags: Array.isArray(s.Tags) ? s.Tags.filter((x): x is string => typeof x === 'string') : [],
      });
    }
    return out;
  }

  async function health(name: string, index: number | undefined, signal: AbortSignal): Promise<{ index: number; instances: CatalogInstance[] }> {
    const what = `health of "${name}"`;
    const a = await get(`/v1/health/service/${encodeURIComponent(name)}`, what, {
      passing: c.passingOnly ? 'true' : undefined,
      // Consul filters on one tag; further tags are checked by the catalog filter.
      tag: c.filters.tags[0],
    }, index, signal);
    return { index: a.index, instances: instances(name, a.body) };
  }

  async function run(sink: CatalogSink, signal: AbortSignal): Promise<void> {
    const scope = new AbortController();
    // One listener per watched service.
    setMaxListeners(0, scope.signal);
    const stopAll = () => scope.abort();
    signal.addEventListener('abort', stopAll, { once: true });
    const watchers = new Map<string, { stop: () => void; done: Promise<void> }>();
    const failing = new Map<string, RegistryError>();

    const markFailing = (name: string, err: RegistryError) => {
      const first = failing.size === 0;
      failing.set(name, err);
      if (first) sink.failed('services', new RegistryError(err.code, `service watches failing (first: ${err.message})`));
    };
    const markOk = (name: string) => {
      if (failing.delete(name) && failing.size === 0) sink.succeeded('services');
    };

    const watch = (name: string, startIndex: number | undefined) => {
      const own = new AbortController();
      const onScope = () => own.abort();
      scope.signal.addEventListener('abort', onScope, { once: true });
      const backoff = createBackoff({ ...o.backoff, ...(o.random ? { random: o.random } : {}) });
      const done = (async () => {
        let index = startIndex;
        while (!own.signal.aborted) {
          try {
            const a = await health(name, index, own.signal);
            if (own.signal.aborted) break;
            if (index === undefined || a.index !== index) sink.setService(name, a.instances);
            // Consul: an index that goes backwards means start over from 0.
            index = index !== undefined && a.index < index ? undefined : a.index;
            backoff.reset();
            markOk(name);
          } catch (err) {
            if (own.signal.aborted) break;
            markFailing(name, toRegistryError(err));
            await sleep(o.clock, backoff.next(), own.signal);
          }
        }
        scope.signal.removeEventListener('abort', onScope);
      })();
      watchers.set(name, { stop: () => own.abort(), done });
    };

    try {
      // A full listing: every wanted service's instances, then one complete answer.
      const listing = await get('/v1/catalog/services', 'catalog services', {}, undefined, scope.signal);
      const wanted = serviceNames(listing.body).filter((n) => sink.wants(n));
      const fetched = await mapLimit(wanted, LIST_CONCURRENCY, (n) => health(n, undefined, scope.signal));
      if (scope.signal.aborted) return;
      sink.replaceAll(new Map(wanted.map((n, i) => [n, fetched[i]?.instances ?? []])));
      sink.succeeded('main');
      failing.clear();
      sink.succeeded('services');
      wanted.forEach((n, i) => watch(n, fetched[i]?.index));

      let index = listing.index;
      while (!scope.signal.aborted) {
        const a = await get('/v1/catalog/services', 'catalog services', {}, index, scope.signal);
        sink.succeeded('main');
        if (a.index === index) continue;
        index = a.index < index ? 0 : a.index;
        const now = new Set(serviceNames(a.body).filter((n) => sink.wants(n)));
        for (const [name, w] of [...watchers]) {
          if (now.has(name)) continue;
          w.stop();
          watchers.delete(name);
          markOk(name);
          sink.setService(name, []);
        }
        for (const name of now) if (!watchers.has(name)) watch(name, undefined);
      }
    } finally {
      scope.abort();
      signal.removeEventListener('abort', stopAll);
      await Promise.all([...watchers.values()].map((w) => w.done));
    }
  }

  return { run, close: () => http.close() };
}
