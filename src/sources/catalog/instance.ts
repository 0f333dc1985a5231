/**
 * One instance of a registry service as every registry source hands it to
 * the catalog state: what the registry said, normalised. Health filtering
 * (Consul passing checks, Eureka UP, Nacos healthy and enabled) is the
 * source's job; everything here is a candidate endpoint.
 */
export interface CatalogInstance {
  /** The service's name in the registry, verbatim. */
  readonly service: string;
  /** IP address (IPv4 or IPv6); instances with anything else are left out and reported. */
  readonly address: string;
  readonly port: number;
  /** Application protocol of the port: `http` (FSM's default for registry instances), `grpc` or `tcp`. */
  readonly protocol: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags?: readonly string[];
}

/** The registries this project reads, as FSM names its providers (`flomesh.io/mesh-service-sync`). */
export type RegistryProvider = 'consul' | 'eureka' | 'nacos' | 'zookeeper' | 'etcd';

/** Metadata values as strings (registries hand out numbers and booleans too); non-scalars are dropped. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}
