/**
 * What every part of the sidecar generator shares for one proxy: the model
 * view, the proxy, the MeshConfig settings, the problems found so far and the
 * dependency keys read. Recording a key whenever a part reads a piece of the
 * model is what lets the config set recompute only proxies a change touches
 * (see dependency-keys.ts for the key grammar).
 */
import type { ModelView, ProxyInfo } from '../../model/view.js';
import type { MeshObject } from '../../model/types.js';
import type { SidecarMeshSettings } from './mesh-settings.js';
import type { GenerationProblem } from './types.js';

export interface GenContext {
  readonly view: ModelView;
  readonly proxy: ProxyInfo;
  readonly mesh: SidecarMeshSettings;
  readonly trustDomain: string;
  readonly problems: GenerationProblem[];
  /** Dependency keys read while generating (see dependency-keys.ts). */
  readonly deps: Set<string>;
  /** Per-batch memo of identity lookups; valid only while the view does not change. */
  readonly cache: GenCache;
}

/** Lookups many proxies of one batch repeat; a config set makes one per `recompute` call. */
export interface GenCache {
  readonly servicesByIdentity: Map<string, unknown[]>;
  readonly ipsByIdentity: Map<string, string[]>;
}

export function createGenCache(): GenCache {
  return { servicesByIdentity: new Map(), ipsByIdentity: new Map() };
}

/** `Kind namespace/name` for problem reports. */
export function describe(obj: MeshObject): string {
  const ns = obj.metadata.namespace;
  return `${obj.kind} ${ns ? `${ns}/` : ''}${obj.metadata.name}`;
}

export function report(ctx: GenContext, obj: MeshObject, reason: string, extra: { code?: string; field?: string } = {}): void {
  ctx.problems.push({ object: describe(obj), reason, ...extra });
}

/** Sorted copy (code-point order) so that output never depends on input order. */
export function sorted<T>(items: Iterable<T>, key: (t: T) => string): T[] {
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
