import { defineSourceScheme } from '../scheme.js';
import { createRegistrySource, type CatalogSource, type RegistrySourceTuning } from '../catalog/catalog-source.js';
import { parseNacosArg, type NacosConfig } from './config.js';
import { createNacosDriver } from './nacos-driver.js';

export function createNacosSource(config: NacosConfig, tuning: RegistrySourceTuning = {}): CatalogSource {
  return createRegistrySource('nacos', config, tuning, (t) => createNacosDriver({ config, ...t }));
}

/** `--source nacos:URL[?options]`: a Nacos server's naming service (see config.ts for the options). */
export const nacosSourceScheme = defineSourceScheme<NacosConfig>({
  scheme: 'nacos',
  usage: 'nacos:URL[?namespace=NS&namespaceId=ID&group=G&cluster=C&username=U&password=P&api=v1|v2&sync=true…]',
  parse: parseNacosArg,
  create: (config, { logger }) => createNacosSource(config, { logger }),
});
