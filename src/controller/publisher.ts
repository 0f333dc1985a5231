import { createResource, type Resource } from '../../cache/resource.js';
import { createSnapshot, setVersion } from '../../cache/snapshot.js';
import type { SnapshotCache } from '../../cache/snapshot-cache.js';
import { TypeUrl } from '../../cache/types.js';
import { createCodebase } from '../../cache/codebase.js';
import type { Codebase } from '../../cache/codebase.js';
import type { CodebaseProvider } from '../../server/pipy-repo/types.js';
import type { SidecarConfig } from '../generate/sidecar/sidecar-config.js';
import type { ProxyInfo } from '../model/view.js';
import type { BaseCodebase } from '../pipy-base/load-base-codebase.js';
import { hashParts } from '../shared/hash.js';
import { encodeFields } from '../shared/wire.js';

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

export function createPublisher(opts: PublisherOptions): Publisher {
  const codebases = new Map<string, Codebase>();
  const configResources = new Map<string, Resource>();
  /** uuid → cnPrefix of what is published (the name changes if a pod's service account does). */
  const published = new Map<string, string>();
  const baseVersion = createCodebase({ main: opts.base.main, layers: [opts.base.files] }).version;
  /** Version of each shared list of extra resources (one list per certificate, shared by its proxies). */
  const extraVersions = new WeakMap<readonly Resource[], Record<string, string>>();

  const removeCn = (cnPrefix: string): string => {
    const name = codebaseName({ cnPrefix });
    codebases.delete(name);
    configResources.delete(cnPrefix);
    opts.cache.clearSnapshot(cnPrefix);
    return name;
  };

  // A config's JSON is a function of its version (the controller never stamps `Ts`), so the
  // version names the content: neither the codebase etag nor the xDS resource version needs
  // another hash over the bytes, which at thousands of proxies cost more than the rest of
  // publishing. Both stay content-derived, hence stable across restarts.
  const configResource = (proxy: ProxyInfo, config: SidecarConfig, json: Uint8Array): Resource => {
    const prev = configResources.get(proxy.cnPrefix);
    if (prev?.version === config.version) return prev;
    // fsm.pipy.v1.SidecarConfig {name = 1; version = 2; json = 3}, written directly rather than
    // through the generic proto3-JSON codec.
    const bytes = encodeFields([
      [1, proxy.cnPrefix],
      [2, config.version],
      [3, json],
    ]);
    const res = createResource({ typeUrl: TypeUrl.PipySidecarConfig, name: proxy.cnPrefix, bytes, version: config.version, message: { version: config.version, json: config.json } });
    configResources.set(proxy.cnPrefix, res);
    return res;
  };

  const extraResources = (proxy: ProxyInfo): { resources: Record<string, Resource[]>; versions: Record<string, string> } => {
    const list = opts.extraResources?.(proxy) ?? [];
    const resources: Record<string, Resource[]> = {};
    for (const r of list) (resources[r.typeUrl] ??= []).push(r);
    let versions = extraVersions.get(list);
    if (!versions) {
      versions = {};
      for (const [typeUrl, rs] of Object.entries(resources)) versions[typeUrl] = setVersion(rs);
      extraVersions.set(list, versions);
    }
    return { resources, versions };
  };

  return {
    get: (name) => codebases.get(name),
    publish(proxy, config) {
      const name = codebaseName(proxy);
      const touched = [name];
      const previous = published.get(proxy.uuid);
      if (previous !== undefined && previous !== proxy.cnPrefix) touched.push(removeCn(previous));
      published.set(proxy.uuid, proxy.cnPrefix);
      const version = hashParts([baseVersion, config.version]);
      const json = Buffer.from(config.json);
      codebases.set(name, createCodebase({ main: opts.base.main, layers: [opts.base.files, new Map([['/config.json', json]])], version }));
      const extra = extraResources(proxy);
      const resources = { ...extra.resources, [TypeUrl.PipySidecarConfig]: [configResource(proxy, config, json)] };
      const versions = { ...extra.versions, [TypeUrl.PipySidecarConfig]: config.version };
      opts.cache.setSnapshot(proxy.cnPrefix, createSnapshot({ resources, versions }));
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
