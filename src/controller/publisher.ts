import { createResource, type Resource } from '../../cache/resource.js';
import { createSnapshot } from '../../cache/snapshot.js';
import type { SnapshotCache } from '../../cache/snapshot-cache.js';
import { TypeUrl } from '../../cache/types.js';
import { createCodebase } from '../../server/pipy-repo/codebase.js';
import type { Codebase, CodebaseProvider } from '../../server/pipy-repo/types.js';
import type { SidecarConfig } from '../generate/pipy/sidecar-config.js';
import type { ProxyInfo } from '../model/view.js';
import type { BaseCodebase } from '../pipy-base/load-base-codebase.js';
import { concatBytes, stringField } from '../shared/wire.js';

/** The Pipy codebase of a proxy: `fsm-sidecar/<uuid>.sidecar.<sa>.<ns>`. */
export function codebaseName(proxy: Pick<ProxyInfo, 'cnPrefix'>): string {
  return `fsm-sidecar/${proxy.cnPrefix}`;
}

/** Extra xDS resources of a proxy besides its sidecar config (SDS secrets). */
export type ExtraResources = (proxy: ProxyInfo) => readonly Resource[];

export interface PublisherOptions {
  base: BaseCodebase;
  cache: SnapshotCache;
  extraResources?: ExtraResources;
}

/**
 * Turns generated sidecar configs into what the servers read: one Pipy
 * codebase per proxy (the base files plus `/config.json`) and one xDS snapshot
 * per proxy (node id `<uuid>.sidecar.<sa>.<ns>`) holding the config as a
 * `fsm.pipy.v1.SidecarConfig` resource and its certificates as SDS secrets.
 * Unchanged content keeps its objects, so versions and etags stay stable.
 */
export interface Publisher extends CodebaseProvider {
  /** Publishes a proxy's config; returns the codebase names that changed (its own, and a previous one if its name changed). */
  publish(proxy: ProxyInfo, config: SidecarConfig): string[];
  /** Removes a proxy's codebase and snapshot; returns the codebase name, if it was published. */
  remove(uuid: string): string | undefined;
  /** The published codebase version of a proxy. */
  codebaseVersion(proxy: Pick<ProxyInfo, 'cnPrefix'>): string | undefined;
  size(): number;
}

const encoder = new TextEncoder();

export function createPublisher(opts: PublisherOptions): Publisher {
  const codebases = new Map<string, Codebase>();
  const configResources = new Map<string, Resource>();
  /** uuid → cnPrefix of what is published (the name changes if a pod's service account does). */
  const published = new Map<string, string>();

  const removeCn = (cnPrefix: string): string => {
    const name = codebaseName({ cnPrefix });
    codebases.delete(name);
    configResources.delete(cnPrefix);
    opts.cache.clearSnapshot(cnPrefix);
    return name;
  };

  const configResource = (proxy: ProxyInfo, config: SidecarConfig): Resource => {
    const prev = configResources.get(proxy.cnPrefix);
    const message = prev?.message as { version?: string; json?: string } | undefined;
    if (prev && message?.version === config.version && message.json === config.json) return prev;
    // fsm.pipy.v1.SidecarConfig has three string fields; writing them directly skips the generic
    // proto3-JSON path, which costs more than the rest of publishing at thousands of proxies.
    const bytes = concatBytes([stringField(1, proxy.cnPrefix), stringField(2, config.version), stringField(3, config.json)]);
    const res = createResource({ typeUrl: TypeUrl.PipySidecarConfig, name: proxy.cnPrefix, bytes, message: { version: config.version, json: config.json } });
    configResources.set(proxy.cnPrefix, res);
    return res;
  };

  return {
    get: (name) => codebases.get(name),
    publish(proxy, config) {
      const name = codebaseName(proxy);
      const touched = [name];
      const previous = published.get(proxy.uuid);
      if (previous !== undefined && previous !== proxy.cnPrefix) touched.push(removeCn(previous));
      published.set(proxy.uuid, proxy.cnPrefix);
      const overlay = new Map([['/config.json', encoder.encode(config.json)]]);
      const codebase = createCodebase({ main: opts.base.main, layers: [opts.base.files, overlay] });
      if (codebases.get(name)?.version !== codebase.version) codebases.set(name, codebase);
      const resources: Record<string, Resource[]> = { [TypeUrl.PipySidecarConfig]: [configResource(proxy, config)] };
      for (const r of opts.extraResources?.(proxy) ?? []) (resources[r.typeUrl] ??= []).push(r);
      opts.cache.setSnapshot(proxy.cnPrefix, createSnapshot({ resources }));
      return touched;
    },
    remove(uuid) {
      const cn = published.get(uuid);
      if (cn === undefined) return undefined;
      published.delete(uuid);
      return removeCn(cn);
    },
    codebaseVersion: (proxy) => codebases.get(codebaseName(proxy))?.version,
    size: () => codebases.size,
  };
}
