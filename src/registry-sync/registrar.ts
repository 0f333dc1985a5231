/**
 * One registry's write API, as the registration sync uses it. Registries
 * whose registrations expire (Eureka leases, Nacos ephemeral instances)
 * need `renew` and no `listOwn`: what a previous run registered expires by
 * itself. Consul catalog entries do not expire, so `listOwn` finds what
 * this cluster set registered before, for cleanup.
 */
import type { Registration } from './registrations.js';

export interface Registrar {
  register(r: Registration, signal: AbortSignal): Promise<void>;
  deregister(r: Registration, signal: AbortSignal): Promise<void>;
  /** Renews the lease; false when the registry no longer knows the instance (it is registered again). */
  renew?(r: Registration, signal: AbortSignal): Promise<boolean>;
  /** Instances registered by this cluster set, by id. */
  listOwn?(signal: AbortSignal): Promise<Map<string, Registration>>;
  close(): void;
}
