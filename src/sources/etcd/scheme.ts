import { defineSourceScheme } from '../scheme.js';
import { createRegistrySource, type CatalogSource, type RegistrySourceTuning } from '../catalog/catalog-source.js';
import { parseEtcdArg, type EtcdConfig } from './config.js';
import { createEtcdDriver } from './etcd-driver.js';

export function createEtcdSource(config: EtcdConfig, tuning: RegistrySourceTuning = {}): CatalogSource {
  return createRegistrySource('etcd', config, tuning, (t) => createEtcdDriver({ config, ...t }));
}

/** `--source etcd:URL[/prefix][?options]`: endpoints in etcd's naming layout (see config.ts). */
export const etcdSourceScheme = defineSourceScheme<EtcdConfig>({
  scheme: 'etcd',
  usage: 'etcd:URL[/prefix][?namespace=NS&protocol=grpc&watchTimeout=60s…]',
  parse: parseEtcdArg,
  create: (config, { logger }) => createEtcdSource(config, { logger }),
});
