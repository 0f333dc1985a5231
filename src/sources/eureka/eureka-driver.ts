/**
 * Eureka's REST API as its own clients read it: the full registry
 * (`GET /apps`) once, then every `interval` the delta (`GET /apps/delta`),
 * applied to a local copy of the whole registry (every status, as the
 * Java client keeps it). After each delta the local copy's reconcile hash
 * must equal the server's `apps__hashcode`; when it does not (a delta was
 * missed: the client polled after the server's retention window, or the
 * server restarted) the full registry is fetched again. Only instances
 * whose status is UP enter the mesh; a service is what Eureka calls the
 * VIP address (FSM reads the lower-cased vipAddress; the app name when
 * there is none).
 */
import { sleep } from '../../shared/backoff.js';
import { createHttpClient } from '../../shared/http-request.js';
import type { CatalogDriver, DriverTuning } from '../catalog/catalog-source.js';
import type { CatalogSink } from '../catalog/catalog-state.js';
import type { CatalogInstance } from '../catalog/instance.js';
import { expectOk, parseJsonAnswer } from '../catalog/registry-error.js';
import type { EurekaConfig } from './config.js';
import { parseApplications, reconcileHash, type EurekaInstance } from './eureka-registry.js';

export interface EurekaDriverOptions extends DriverTuning {
  readonly config: EurekaConfig;
}

export function createEurekaDriver(o: EurekaDriverOptions): CatalogDriver {
  const c = o.config;
  const http = createHttpClient({ baseUrl: c.url, maxBytes: c.maxPayloadBytes });
  const timeoutMs = o.silenceMs * 3;

  async function fetchApps(path: string, what: string, signal: AbortSignal) {
    const res = await http.request({ path, timeoutMs, signal, headers: { accept: 'application/json' } });
    expectOk(res, what);
    return parseApplications(parseJsonAnswer(res.body, what), what);
  }

  const toCatalog = (i: EurekaInstance, service: string): CatalogInstance => ({ service, address: i.address, port: i.port, protocol: c.protocol, metadata: i.metadata });

  /** UP instances of one VIP. */
  function serviceInstances(local: Map<string, EurekaInstance>, vip: string): CatalogInstance[] {
    const out: CatalogInstance[] = [];
    for (const i of local.values()) if (i.status === 'UP' && i.vips.includes(vip)) out.push(toCatalog(i, vip));
    return out;
  }

  function allServices(local: Map<string, EurekaInstance>): Map<string, CatalogInstance[]> {
    const out = new Map<string, CatalogInstance[]>();
    for (const i of local.values()) {
      if (i.status !== 'UP') continue;
      for (const vip of i.vips) {
        const list = out.get(vip);
        if (list) list.push(toCatalog(i, vip));
        else out.set(vip, [toCatalog(i, vip)]);
      }
    }
    return out;
  }

  async function run(sink: CatalogSink, signal: AbortSignal): Promise<void> {
    let local = new Map<string, EurekaInstance>();
    const full = async () => {
      const apps = await fetchApps('/apps', 'registry', signal);
      local = new Map(apps.instances.map(({ actionType: _a, ...i }) => [i.key, i]));
      sink.replaceAll(allServices(local));
      sink.succeeded('main');
    };
    await full();
    while (!signal.aborted) {
      await sleep(o.clock, c.intervalMs, signal);
      if (signal.aborted) break;
      const delta = await fetchApps('/apps/delta', 'registry delta', signal);
      // A delta repeats every change of the server's retention window (3 min): only instances that
      // differ from the local copy touch their services.
      const touched = new Set<string>();
      for (const i of delta.instances) {
        const had = local.get(i.key);
        if (i.actionType === 'DELETED') {
          if (!had) continue;
          local.delete(i.key);
        } else {
          const { actionType: _a, ...now } = i;
          if (had && JSON.stringify(had) === JSON.stringify(now)) continue;
          local.set(i.key, now);
          for (const vip of now.vips) touched.add(vip);
        }
        for (const vip of had?.vips ?? []) touched.add(vip);
      }
      if (reconcileHash(local.values()) !== delta.hash) {
        o.logger.info('eureka delta does not reconcile; fetching the full registry', { source: c.name, local: reconcileHash(local.values()), server: delta.hash });
        await full();
        continue;
      }
      if (touched.size > 0) sink.setServices(new Map([...touched].sort().map((vip) => [vip, serviceInstances(local, vip)])));
      sink.succeeded('main');
    }
  }

  return { run, close: () => http.close() };
}
