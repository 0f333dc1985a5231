import { defineSourceScheme } from '../scheme.js';
import { createRegistrySource, type CatalogSource, type RegistrySourceTuning } from '../catalog/catalog-source.js';
import { parseZookeeperArg, type ZookeeperConfig } from './config.js';
import { createZookeeperDriver } from './zookeeper-driver.js';

export function createZookeeperSource(config: ZookeeperConfig, tuning: RegistrySourceTuning = {}): CatalogSource {
  return createRegistrySource('zookeeper', config, tuning, (t) => createZookeeperDriver({ config, ...t }));
}

/** `--source zookeeper:HOST:PORT[/root][?options]`: Dubbo providers registered in ZooKeeper (see config.ts). */
export const zookeeperSourceScheme = defineSourceScheme<ZookeeperConfig>({
  scheme: 'zookeeper',
  usage: 'zookeeper:HOST:PORT[,HOST:PORT…][/root][?namespace=NS&category=providers&digest=U:P…]',
  parse: parseZookeeperArg,
  create: (config, { logger }) => createZookeeperSource(config, { logger }),
});
