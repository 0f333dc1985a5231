/**
 * Nacos's naming open API, polled: every `interval`, the service list of
 * each group (paged) and the instance list of each service
 * (`healthyOnly=true`, the configured clusters), of which the instances
 * both healthy and enabled enter the mesh, make one complete answer. A
 * service is its name without the group (FSM merges a name found in
 * several groups, and so do we). Nacos's other change channel is a UDP
 * push to a port the client names in each query; it is not used: it
 * needs an address the server can reach, which a polled answer does not.
 */
import { sleep } from '../../shared/backoff.js';
import { mapLimit } from '../../shared/map-limit.js';
import type { CatalogDriver, DriverTuning } from '../catalog/catalog-source.js';
import type { CatalogSink } from '../catalog/catalog-state.js';
import { stringMap, type CatalogInstance } from '../catalog/instance.js';
import { RegistryError, expectOk, parseJsonAnswer } from '../catalog/registry-error.js';
import type { NacosConfig } from './config.js';
import { createNacosApi } from './nacos-api.js';

export interface NacosDriverOptions extends DriverTuning {
  readonly config: NacosConfig;
}

const PAGE_SIZE = 500;
const LIST_CONCURRENCY = 16;

export function createNacosDriver(o: NacosDriverOptions): CatalogDriver {
  const c = o.config;
  const api = createNacosApi(c, () => o.clock.now());
  const timeoutMs = o.silenceMs * 3;
  const base = `/${c.api}/ns`;

  async function get(path: string, query: Record<string, string | undefined>, what: string, signal: AbortSignal): Promise<unknown> {
    const res = await api.call('GET', `${base}${path}`, query, signal, timeoutMs);
    expectOk(res, what);
    const body = parseJsonAnswer(res.body, what);
    if (c.api === 'v1') return body;
    const wrapped = body as { code?: unknown; message?: unknown; data?: unknown };
    if (wrapped.code !== 0) throw new RegistryError('E8001', `${what}: code ${String(wrapped.code)} ${String(wrapped.message ?? '')}`);
    return wrapped.data;
  }

  async function serviceNames(group: string, signal: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    for (let page = 1; ; page++) {
      const body = (await get('/service/list', { pageNo: String(page), pageSize: String(PAGE_SIZE), groupName: group }, `services of group ${group}`, signal)) as { count?: unknown; doms?: unknown; services?: unknown };
      const list = c.api === 'v1' ? body?.doms : body?.services;
      if (!Array.isArray(list) || typeof body.count !== 'number') throw new RegistryError('E8001', `services of group ${group}: no count and list in the answer`);
      names.push(...list.filter((n): n is string => typeof n === 'string'));
      if (list.length < PAGE_SIZE || names.length >= body.count) return names;
    }
  }

  async function instances(group: string, name: string, signal: AbortSignal): Promise<CatalogInstance[]> {
    const what = `instances of ${group}@@${name}`;
    const body = (await get('/instance/list', {
      serviceName: name,
      groupName: group,
      healthyOnly: 'true',
      ...(c.clusters.length ? { clusters: c.clusters.join(','), clusterName: c.clusters.join(',') } : {}),
    }, what, signal)) as { hosts?: unknown };
    if (!Array.isArray(body?.hosts)) throw new RegistryError('E8001', `${what}: no hosts in the answer`);
    const out: CatalogInstance[] = [];
    for (const h of body.hosts as Record<string, unknown>[]) {
      if (!h || h.healthy === false || h.enabled === false) continue;
      if (c.clusters.length && typeof h.clusterName === 'string' && !c.clusters.includes(h.clusterName)) continue;
      out.push({ service: name, address: String(h.ip ?? ''), port: Number(h.port) || 0, protocol: c.protocol, metadata: stringMap(h.metadata) });
    }
    return out;
  }

  async function poll(sink: CatalogSink, signal: AbortSignal): Promise<void> {
    const pairs: [string, string][] = [];
    for (const group of c.groups) for (const name of await serviceNames(group, signal)) if (sink.wants(name)) pairs.push([group, name]);
    const lists = await mapLimit(pairs, LIST_CONCURRENCY, ([g, n]) => instances(g, n, signal));
    if (signal.aborted) return;
    const services = new Map<string, CatalogInstance[]>();
    pairs.forEach(([, name], i) => {
      const list = lists[i] ?? [];
      services.set(name, [...(services.get(name) ?? []), ...list]);
    });
    sink.replaceAll(services);
    sink.succeeded('main');
  }

  return {
    async run(sink, signal) {
      while (!signal.aborted) {
        await poll(sink, signal);
        await sleep(o.clock, c.intervalMs, signal);
      }
    },
    close: () => api.close(),
  };
}
