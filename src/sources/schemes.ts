/**
 * Every source scheme `--source` accepts. A new source is a folder under
 * src/sources/ with a `scheme.ts`, plus one line here.
 */
import { consulSourceScheme } from './consul/scheme.js';
import { etcdSourceScheme } from './etcd/scheme.js';
import { eurekaSourceScheme } from './eureka/scheme.js';
import { fileSourceScheme } from './file/scheme.js';
import { kubernetesSourceScheme } from './kubernetes/scheme.js';
import { nacosSourceScheme } from './nacos/scheme.js';
import { zookeeperSourceScheme } from './zookeeper/scheme.js';
import { createSourceRegistry, type SourceRegistry } from './registry.js';

export const sourceSchemes = [kubernetesSourceScheme, fileSourceScheme, consulSourceScheme, eurekaSourceScheme, nacosSourceScheme, etcdSourceScheme, zookeeperSourceScheme];

export function defaultSourceRegistry(): SourceRegistry {
  return createSourceRegistry(sourceSchemes);
}
