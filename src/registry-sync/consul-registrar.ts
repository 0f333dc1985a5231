/**
 * Registrations into Consul's catalog, as FSM's connector writes them:
 * catalog entries on one node (syncNode; FSM's consulNodeName, or the
 * cluster set) with a passing check, tagged `flomesh_cluster_id=<cluster set>`,
 * metadata keys with underscores (Consul forbids dots). No TTL: the sync
 * removes what it no longer wants, and `listOwn` finds what an earlier run
 * left on the node.
 */
import type { ConsulConfig } from '../sources/consul/config.js';
import { consulHttpClient } from '../sources/consul/consul-driver.js';
import { consulMetaKey, OriginKeys } from '../sources/catalog/origin.js';
import { RegistryError, expectOk, parseJsonAnswer } from '../sources/catalog/registry-error.js';
import type { Registrar } from './registrar.js';
import type { Registration } from './registrations.js';

const TIMEOUT_MS = 30_000;

export function createConsulRegistrar(config: ConsulConfig): Registrar {
  const http = consulHttpClient(config);
  const node = config.syncNode;
  const clusterSet = config.filters.clusterSet;
  const dc = config.datacenter;
  const meta = (m: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [consulMetaKey(k), v]));

  return {
    async register(r, signal) {
      const res = await http.request({
        method: 'PUT',
        path: '/v1/catalog/register',
        query: { dc },
        timeoutMs: TIMEOUT_MS,
        signal,
        body: {
          Node: node,
          Address: '127.0.0.1',
          Service: { ID: r.id, Service: r.service, Address: r.address, Port: r.port, Tags: [...r.tags, `flomesh_cluster_id=${clusterSet}`], Meta: meta(r.metadata) },
          Check: { Node: node, CheckID: `service:${r.id}`, Name: `${r.service}-liveness`, Status: 'passing', Notes: `${r.service} is alive and well.`, ServiceID: r.id },
        },
      });
      expectOk(res, `register ${r.id}`);
    },
    async deregister(r, signal) {
      const res = await http.request({ method: 'PUT', path: '/v1/catalog/deregister', query: { dc }, timeoutMs: TIMEOUT_MS, signal, body: { Node: node, ServiceID: r.id } });
      expectOk(res, `deregister ${r.id}`);
    },
    async listOwn(signal) {
      const res = await http.request({ path: `/v1/catalog/node/${encodeURIComponent(node)}`, query: { dc }, timeoutMs: TIMEOUT_MS, signal });
      expectOk(res, `services of node ${node}`);
      const body = parseJsonAnswer(res.body, `services of node ${node}`) as { Services?: Record<string, Record<string, unknown>> } | null;
      if (body !== null && typeof body !== 'object') throw new RegistryError('E8001', `services of node ${node}: not an object`);
      const out = new Map<string, Registration>();
      for (const s of Object.values(body?.Services ?? {})) {
        const m = (s.Meta ?? {}) as Record<string, string>;
        if (m[consulMetaKey(OriginKeys.clusterSet)] !== clusterSet) continue;
        out.set(String(s.ID), { id: String(s.ID), service: String(s.Service), address: String(s.Address), port: Number(s.Port), tags: [], metadata: {} });
      }
      return out;
    },
    close: () => http.close(),
  };
}
