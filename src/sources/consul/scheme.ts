import { defineSourceScheme } from '../scheme.js';
import { createRegistrySource, type CatalogSource, type RegistrySourceTuning } from '../catalog/catalog-source.js';
import { parseConsulArg, type ConsulConfig } from './config.js';
import { createConsulDriver } from './consul-driver.js';

export function createConsulSource(config: ConsulConfig, tuning: RegistrySourceTuning = {}): CatalogSource {
  return createRegistrySource('consul', config, tuning, (t) => createConsulDriver({ config, ...t }));
}

/** `--source consul:URL[?options]`: Consul's catalog (see config.ts for the options). */
export const consulSourceScheme = defineSourceScheme<ConsulConfig>({
  scheme: 'consul',
  usage: 'consul:URL[?namespace=NS&dc=DC&token=T&service=GLOB&tag=T&meta=K:V&sync=true…]',
  parse: parseConsulArg,
  create: (config, { logger }) => createConsulSource(config, { logger }),
});
