/**
 * The key/value layout of etcd's `naming/endpoints` package
 * (client/v3/naming/endpoints): a key `<prefix>/<service>/<anything>` per
 * endpoint, its value the JSON `{"Op":0,"Addr":"host:port","Metadata":…}`.
 */
import { stringMap, type CatalogInstance } from '../catalog/instance.js';

/** The service of a key under `prefix/`: everything between the prefix and the last segment. */
export function serviceOfKey(prefix: string, key: string): string | undefined {
  if (!key.startsWith(`${prefix}/`)) return undefined;
  const rest = key.slice(prefix.length + 1);
  const slash = rest.lastIndexOf('/');
  return slash > 0 ? rest.slice(0, slash) : undefined;
}

/** `host:port` or `[v6]:port`. */
export function splitHostPort(addr: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(addr) ?? /^([^:]+):(\d+)$/.exec(addr);
  return m ? { host: m[1] as string, port: Number(m[2]) } : { host: addr, port: 0 };
}

/** An endpoint value as an instance; undefined when the value is not an Add of this layout. */
export function endpointInstance(service: string, value: string, protocol: string): CatalogInstance | undefined {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const e = v as { Op?: unknown; Addr?: unknown; Metadata?: unknown };
  if ((e.Op ?? 0) !== 0 || typeof e.Addr !== 'string') return undefined;
  const { host, port } = splitHostPort(e.Addr);
  return { service, address: host, port, protocol, metadata: stringMap(e.Metadata) };
}
