/**
 * The raw table of accepted objects, `kind → namespace → name → object`,
 * with sorted-list caching. It holds objects of unobserved namespaces too, so
 * that labelling a namespace can reveal them without a relist; the store
 * decides visibility.
 */
import type { MeshObject } from './types.js';

export interface ObjectTable {
  get(kind: string, namespace: string, name: string): MeshObject | undefined;
  set(obj: MeshObject, namespace: string): void;
  delete(kind: string, namespace: string, name: string): void;
  /** Objects of `kind` in `namespace`, sorted by name (cached until the kind changes). */
  sorted(kind: string, namespace: string): readonly MeshObject[];
  /** Namespaces holding objects of `kind`. */
  namespacesOf(kind: string): Iterable<string>;
  kinds(): Iterable<string>;
  count(kind?: string): number;
}

export function createObjectTable(): ObjectTable {
  const byKind = new Map<string, Map<string, Map<string, MeshObject>>>();
  const cache = new Map<string, Map<string, readonly MeshObject[]>>();
  const counts = new Map<string, number>();

  return {
    get(kind, namespace, name) {
      return byKind.get(kind)?.get(namespace)?.get(name);
    },
    set(obj, namespace) {
      let nsMap = byKind.get(obj.kind);
      if (!nsMap) byKind.set(obj.kind, (nsMap = new Map()));
      let names = nsMap.get(namespace);
      if (!names) nsMap.set(namespace, (names = new Map()));
      if (!names.has(obj.metadata.name)) counts.set(obj.kind, (counts.get(obj.kind) ?? 0) + 1);
      names.set(obj.metadata.name, obj);
      cache.get(obj.kind)?.delete(namespace);
    },
    delete(kind, namespace, name) {
      const nsMap = byKind.get(kind);
      const names = nsMap?.get(namespace);
      if (!names?.delete(name)) return;
      counts.set(kind, (counts.get(kind) ?? 1) - 1);
      if (names.size === 0) nsMap?.delete(namespace);
      cache.get(kind)?.delete(namespace);
    },
    sorted(kind, namespace) {
      let kc = cache.get(kind);
      if (!kc) cache.set(kind, (kc = new Map()));
      const hit = kc.get(namespace);
      if (hit) return hit;
      const names = byKind.get(kind)?.get(namespace);
      const list = names ? [...names.values()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0)) : [];
      kc.set(namespace, list);
      return list;
    },
    namespacesOf(kind) {
      return byKind.get(kind)?.keys() ?? [];
    },
    kinds() {
      return byKind.keys();
    },
    count(kind) {
      if (kind !== undefined) return counts.get(kind) ?? 0;
      let n = 0;
      for (const c of counts.values()) n += c;
      return n;
    },
  };
}

/** Structural equality of JSON-like values (used to drop no-op updates). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
