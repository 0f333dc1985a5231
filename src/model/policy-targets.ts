/**
 * What a policy targets: the services (`ns/name`) and identities (`sa.ns`)
 * it names. The store indexes policies by these keys (ModelView.policiesFor)
 * and the dependency rules use them to find the proxies a change touches.
 *
 * | kind                  | services                                  | identities                  |
 * |-----------------------|-------------------------------------------|-----------------------------|
 * | TrafficTarget         | -                                         | destination                 |
 * | TrafficSplit          | apex `spec.service`                       | -                           |
 * | UpstreamTrafficSetting| `spec.host` (FQDN)                        | -                           |
 * | Retry                 | `spec.destinations[kind=Service]`         | `spec.source` (SA)          |
 * | IngressBackend        | `spec.backends[].name`                    | -                           |
 * | AccessControl         | `spec.backends[].name`                    | -                           |
 * | Egress                | -                                         | `spec.sources[kind=SA]`     |
 * | PluginConfig          | `spec.destinationRefs[kind=Service]`      | -                           |
 * | TrafficWarmup, ServiceImport, ServiceExport, GlobalTrafficPolicy | the service of the same name | - |
 */
import type { MeshObject } from './types.js';
import { identityOf, serviceRef } from './selectors.js';

export interface PolicyTargets {
  readonly services: readonly string[];
  readonly identities: readonly string[];
}

const NONE: PolicyTargets = { services: [], identities: [] };

type Ref = { kind?: string; name?: string; namespace?: string };

function arr<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** The targets of a policy object; kinds that are not policies target nothing. */
export function policyTargets(obj: MeshObject): PolicyTargets {
  const ns = obj.metadata.namespace ?? '';
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  switch (obj.kind) {
    case 'TrafficTarget': {
      const d = spec['destination'] as Ref | undefined;
      return d?.name ? { services: [], identities: [identityOf(d.name, d.namespace || ns)] } : NONE;
    }
    case 'TrafficSplit':
      return typeof spec['service'] === 'string' ? { services: [serviceRef(spec['service'], ns)], identities: [] } : NONE;
    case 'UpstreamTrafficSetting':
      return typeof spec['host'] === 'string' ? { services: [serviceRef(spec['host'], ns)], identities: [] } : NONE;
    case 'Retry': {
      const src = spec['source'] as Ref | undefined;
      const services = arr<Ref>(spec['destinations'])
        .filter((d) => d.kind === 'Service' && d.name)
        .map((d) => `${d.namespace || ns}/${d.name}`);
      const identities = src?.kind === 'ServiceAccount' && src.name ? [identityOf(src.name, src.namespace || ns)] : [];
      return { services, identities };
    }
    case 'IngressBackend':
    case 'AccessControl':
      return { services: arr<Ref>(spec['backends']).filter((b) => b.name).map((b) => `${ns}/${b.name}`), identities: [] };
    case 'Egress':
      return {
        services: [],
        identities: arr<Ref>(spec['sources'])
          .filter((s) => s.kind === 'ServiceAccount' && s.name)
          .map((s) => identityOf(s.name, s.namespace || ns)),
      };
    case 'PluginConfig':
      return {
        services: arr<Ref>(spec['destinationRefs'])
          .filter((d) => d.kind === 'Service' && d.name)
          .map((d) => `${d.namespace || ns}/${d.name}`),
        identities: [],
      };
    case 'TrafficWarmup':
    case 'ServiceImport':
    case 'ServiceExport':
    case 'GlobalTrafficPolicy':
      return { services: [`${ns}/${obj.metadata.name}`], identities: [] };
    default:
      return NONE;
  }
}
