/**
 * Which registry services and instances enter the mesh: the filters FSM's
 * connector specs offer (syncToK8S: filterMetadatas / excludeMetadatas,
 * filterTag, filterIpRanges / excludeIpRanges), a service-name filter, and
 * loop prevention (instances this cluster set registered itself are never
 * read back).
 */
import { BlockList, isIP } from 'node:net';
import type { CatalogInstance } from './instance.js';
import { isOwnRegistration } from './origin.js';

export interface CatalogFilters {
  /** Service-name globs (`*`, `?`); empty: every service. */
  readonly services: readonly string[];
  /** Service-name globs to leave out (after `services`). */
  readonly excludeServices: readonly string[];
  /** `[key, value]` pairs every instance must carry. */
  readonly metadata: readonly (readonly [string, string])[];
  /** `[key, value]` pairs that exclude an instance carrying any of them. */
  readonly excludeMetadata: readonly (readonly [string, string])[];
  /** Tags every instance must carry (registries with tags: Consul). */
  readonly tags: readonly string[];
  /** CIDRs an instance address must fall in; empty: any. */
  readonly ipRanges: readonly string[];
  /** CIDRs whose instances are left out. */
  readonly excludeIpRanges: readonly string[];
  /** This mesh's cluster set: instances registered with it are ours and skipped. */
  readonly clusterSet: string;
}

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);
}

function blockList(cidrs: readonly string[]): BlockList | undefined {
  if (cidrs.length === 0) return undefined;
  const list = new BlockList();
  for (const c of cidrs) {
    const [net, prefix] = c.split('/') as [string, string];
    list.addSubnet(net, Number(prefix), isIP(net) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

export interface CatalogFilter {
  service(name: string): boolean;
  instance(instance: CatalogInstance): boolean;
}

export function createCatalogFilter(f: CatalogFilters): CatalogFilter {
  const include = f.services.map(globRegExp);
  const exclude = f.excludeServices.map(globRegExp);
  const within = blockList(f.ipRanges);
  const outside = blockList(f.excludeIpRanges);
  const family = (ip: string) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  return {
    service: (name) => (include.length === 0 || include.some((r) => r.test(name))) && !exclude.some((r) => r.test(name)),
    instance(i) {
      if (isOwnRegistration(i.metadata, f.clusterSet)) return false;
      if (!f.metadata.every(([k, v]) => i.metadata[k] === v)) return false;
      if (f.excludeMetadata.some(([k, v]) => i.metadata[k] === v)) return false;
      if (f.tags.length > 0 && !f.tags.every((t) => i.tags?.includes(t))) return false;
      if (within && !within.check(i.address, family(i.address))) return false;
      if (outside && outside.check(i.address, family(i.address))) return false;
      return true;
    },
  };
}
