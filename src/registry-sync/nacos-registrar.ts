/**
 * Registrations into Nacos as ephemeral instances (FSM's connector does the
 * same through the Nacos SDK), in the sync group and cluster, kept alive by
 * beats (`PUT /v1/ns/instance/beat`; code 20404 means the server forgot
 * the instance, so it is registered again). A sync that stops lets them
 * turn unhealthy and go, as Nacos does for any client.
 */
import type { NacosConfig } from '../sources/nacos/config.js';
import { createNacosApi } from '../sources/nacos/nacos-api.js';
import { expectOk, parseJsonAnswer } from '../sources/catalog/registry-error.js';
import type { Registrar } from './registrar.js';
import type { Registration } from './registrations.js';

const TIMEOUT_MS = 30_000;

export function createNacosRegistrar(config: NacosConfig): Registrar {
  const api = createNacosApi(config, () => Date.now());
  const instance = (r: Registration) => ({
    serviceName: r.service,
    groupName: config.syncGroup,
    clusterName: config.syncCluster,
    ip: r.address,
    port: String(r.port),
    ephemeral: 'true',
  });
  return {
    async register(r, signal) {
      const res = await api.call('POST', '/v1/ns/instance', { ...instance(r), weight: '1', enabled: 'true', healthy: 'true', metadata: JSON.stringify(r.metadata) }, signal, TIMEOUT_MS);
      expectOk(res, `register ${r.id}`);
    },
    async renew(r, signal) {
      const beat = { serviceName: `${config.syncGroup}@@${r.service}`, ip: r.address, port: r.port, cluster: config.syncCluster, metadata: r.metadata, scheduled: false };
      const res = await api.call('PUT', '/v1/ns/instance/beat', { serviceName: `${config.syncGroup}@@${r.service}`, groupName: config.syncGroup, ephemeral: 'true', beat: JSON.stringify(beat) }, signal, TIMEOUT_MS);
      expectOk(res, `beat ${r.id}`);
      const body = parseJsonAnswer(res.body, `beat ${r.id}`) as { code?: unknown };
      return body.code !== 20404;
    },
    async deregister(r, signal) {
      const res = await api.call('DELETE', '/v1/ns/instance', instance(r), signal, TIMEOUT_MS);
      expectOk(res, `deregister ${r.id}`);
    },
    close: () => api.close(),
  };
}
