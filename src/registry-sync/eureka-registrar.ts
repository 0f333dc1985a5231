/**
 * Registrations into Eureka, as FSM's connector and Eureka's own clients
 * write them: an instance of the app `<NAME>` (upper case) with the VIP
 * address `<name>`, status UP, the plain port enabled, renewed by a
 * heartbeat (`PUT /apps/<APP>/<id>`; a 404 means the server forgot it, so
 * it is registered again). The lease lasts three heartbeats, so a sync that
 * stops lets its instances expire.
 */
import { createHttpClient } from '../shared/http-request.js';
import type { EurekaConfig } from '../sources/eureka/config.js';
import { expectOk } from '../sources/catalog/registry-error.js';
import type { Registrar } from './registrar.js';
import type { Registration } from './registrations.js';

const TIMEOUT_MS = 30_000;

export function createEurekaRegistrar(config: EurekaConfig, heartbeatMs: number): Registrar {
  const http = createHttpClient({ baseUrl: config.url, maxBytes: config.maxPayloadBytes });
  const app = (r: Registration) => encodeURIComponent(r.service.toUpperCase());
  const leaseSecs = Math.max(1, Math.ceil((heartbeatMs * 3) / 1000));
  return {
    async register(r, signal) {
      const res = await http.request({
        method: 'POST',
        path: `/apps/${app(r)}`,
        timeoutMs: TIMEOUT_MS,
        signal,
        body: {
          instance: {
            instanceId: r.id,
            hostName: r.address,
            app: r.service.toUpperCase(),
            ipAddr: r.address,
            vipAddress: r.service,
            secureVipAddress: r.service,
            status: 'UP',
            port: { $: r.port, '@enabled': 'true' },
            securePort: { $: 443, '@enabled': 'false' },
            dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
            leaseInfo: { renewalIntervalInSecs: Math.max(1, Math.round(heartbeatMs / 1000)), durationInSecs: leaseSecs },
            metadata: r.metadata,
          },
        },
      });
      expectOk(res, `register ${r.id}`);
    },
    async renew(r, signal) {
      const res = await http.request({ method: 'PUT', path: `/apps/${app(r)}/${encodeURIComponent(r.id)}`, timeoutMs: TIMEOUT_MS, signal });
      if (res.status === 404) return false;
      expectOk(res, `renew ${r.id}`);
      return true;
    },
    async deregister(r, signal) {
      const res = await http.request({ method: 'DELETE', path: `/apps/${app(r)}/${encodeURIComponent(r.id)}`, timeoutMs: TIMEOUT_MS, signal });
      if (res.status !== 404) expectOk(res, `deregister ${r.id}`);
    },
    close: () => http.close(),
  };
}
