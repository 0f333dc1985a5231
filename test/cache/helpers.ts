import { createResource, type Resource, type ResourceRef } from '../../cache/resource.js';
import type { NodeInfo, Subscription, WatchRequest } from '../../cache/types.js';

const encoder = new TextEncoder();

/** A resource whose bytes are `content` (default: its name), so equal content gives equal versions. */
export function res(typeUrl: string, name: string, content = name, references: readonly ResourceRef[] = []): Resource {
  return createResource({ typeUrl, name, bytes: encoder.encode(content), references });
}

export function node(id: string, cluster = 'test'): NodeInfo {
  return { id, cluster };
}

export interface SubInit {
  wildcard?: boolean;
  names?: readonly string[];
  returned?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
}

export function sub(init: SubInit = {}): Subscription {
  const returned = init.returned instanceof Map ? new Map(init.returned) : new Map(Object.entries(init.returned ?? {}));
  return { wildcard: init.wildcard ?? false, names: new Set(init.names ?? []), returned };
}

export function req(n: NodeInfo, typeUrl: string, versionInfo = '', respondIfUnchanged = false): WatchRequest {
  return respondIfUnchanged ? { node: n, typeUrl, versionInfo, respondIfUnchanged } : { node: n, typeUrl, versionInfo };
}

/** Collects what a watch callback receives. */
export function recorder<T>(): { readonly got: T[]; readonly respond: (r: T) => void } {
  const got: T[] = [];
  return { got, respond: (r: T) => void got.push(r) };
}

export function names(resources: readonly Resource[]): string[] {
  return resources.map((r) => r.name);
}
