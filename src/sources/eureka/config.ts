/**
 * `--source eureka:URL[?options]`: the Eureka server whose service URL is
 * URL (as in Spring's `eureka.client.serviceUrl.defaultZone`, e.g.
 * `http://eureka:8761/eureka`; credentials for HTTP basic auth may be given
 * in it). Options besides the shared ones (src/sources/catalog/options.ts):
 *
 *   interval=DURATION  how often the delta is fetched (default 5s, FSM's syncPeriod)
 *   sync=true, sync…   register mesh services into Eureka, renewed every `heartbeat`
 */
import { createQueryReader, displayUrl, parseHttpUrl, readCatalogConfig, readSyncConfig, splitQuery, type CatalogConfig, type RegistrySyncConfig } from '../catalog/options.js';

export interface EurekaConfig extends CatalogConfig {
  readonly url: URL;
  readonly name: string;
  readonly intervalMs: number;
  readonly sync?: RegistrySyncConfig;
}

export function parseEurekaArg(arg: string): EurekaConfig {
  const { base, params } = splitQuery(arg);
  if (base === '') throw new Error('a URL is required after "eureka:" (such as http://127.0.0.1:8761/eureka)');
  const url = parseHttpUrl(base, 'Eureka service URL');
  const r = createQueryReader(params);
  const config: EurekaConfig = {
    ...readCatalogConfig(r, { protocol: 'http' }),
    url,
    name: `eureka:${displayUrl(url)}`,
    intervalMs: r.durationMs('interval', 5_000),
  };
  const sync = readSyncConfig(r);
  r.done();
  return sync ? { ...config, sync } : config;
}
