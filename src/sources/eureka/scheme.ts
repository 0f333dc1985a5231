import { defineSourceScheme } from '../scheme.js';
import { createRegistrySource, type CatalogSource, type RegistrySourceTuning } from '../catalog/catalog-source.js';
import { parseEurekaArg, type EurekaConfig } from './config.js';
import { createEurekaDriver } from './eureka-driver.js';

export function createEurekaSource(config: EurekaConfig, tuning: RegistrySourceTuning = {}): CatalogSource {
  return createRegistrySource('eureka', config, tuning, (t) => createEurekaDriver({ config, ...t }));
}

/** `--source eureka:URL[?options]`: a Eureka server's registry (see config.ts for the options). */
export const eurekaSourceScheme = defineSourceScheme<EurekaConfig>({
  scheme: 'eureka',
  usage: 'eureka:URL[?namespace=NS&interval=5s&service=GLOB&meta=K:V&sync=true…]',
  parse: parseEurekaArg,
  create: (config, { logger }) => createEurekaSource(config, { logger }),
});
