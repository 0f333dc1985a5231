/**
 * Which mesh services are registered into a registry, and as what (FSM's
 * syncFromK8S, pkg/connector/ktoc): every Service of a meshed namespace the
 * sync config allows, unless it came from a registry (never registered
 * back: loop prevention) or is opted out (`flomesh.io/service-sync-k8s-to-cloud:
 * "false"`; with defaultSync false only `"true"` opts in). One instance per
 * ready endpoint address, at the port the endpoint serves (the target port:
 * registry clients call pods directly), named `flomesh.io/service-name` or
 * `<prefix><service>[-<namespace>]`, with FSM's origin metadata
 * (cluster set, who registered it, the namespace), the sync config's
 * metadata and tags, and the Service's `flomesh.io/service-meta-*` and
 * `flomesh.io/service-tags` annotations.
 */
import { Labels, type EndpointSlice, type Service, type ServicePort } from '../model/types.js';
import type { ModelView } from '../model/view.js';
import type { RegistrySyncConfig } from '../sources/catalog/options.js';
import { CloudLabels, OriginKeys } from '../sources/catalog/origin.js';

export interface Registration {
  /** FSM's instance id, `<name>-<address>-<port>-<cluster set>` in lower case. */
  readonly id: string;
  /** The registered service name. */
  readonly service: string;
  readonly address: string;
  readonly port: number;
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

export interface RegistrationOrigin {
  readonly clusterSet: string;
  /** Who registers (FSM writes its connector's UID). */
  readonly registrant: string;
}

function wanted(svc: Service, cfg: RegistrySyncConfig): boolean {
  if (svc.metadata.labels?.[Labels.CloudSourcedService] === 'true') return false;
  if (svc.spec?.type === 'ExternalName') return false;
  const flag = svc.metadata.annotations?.[CloudLabels.syncToCloud];
  return flag === 'true' || (flag !== 'false' && cfg.defaultSync);
}

function chosenPort(svc: Service): ServicePort | undefined {
  const ports = (svc.spec?.ports ?? []).filter((p) => p.protocol !== 'UDP' && p.protocol !== 'SCTP');
  const want = svc.metadata.annotations?.[CloudLabels.servicePort];
  if (want !== undefined) return ports.find((p) => p.name === want || String(p.port) === want);
  return ports[0];
}

/** The port the endpoints serve: a numeric targetPort, a named one through the selected pods, else the service port. */
function targetPort(view: ModelView, svc: Service, sp: ServicePort): number {
  const tp = sp.targetPort;
  if (typeof tp === 'number') return tp;
  if (typeof tp === 'string' && /^\d+$/.test(tp)) return Number(tp);
  if (typeof tp === 'string' && tp !== '') {
    for (const pod of view.podsForService(svc)) {
      for (const c of pod.spec?.containers ?? []) {
        const hit = c.ports?.find((p) => p.name === tp);
        if (hit) return hit.containerPort;
      }
    }
    return 0;
  }
  return sp.port;
}

function addresses(view: ModelView, svc: Service, sp: ServicePort): string[] {
  const ns = svc.metadata.namespace ?? '';
  const slices: readonly EndpointSlice[] = view.endpointSlicesForService(ns, svc.metadata.name);
  const out = new Set<string>();
  if (slices.length > 0) {
    for (const slice of slices) {
      if (slice.ports?.length && !slice.ports.some((p) => (p.name ?? '') === (sp.name ?? ''))) continue;
      for (const ep of slice.endpoints ?? []) if (ep.conditions?.ready !== false) for (const a of ep.addresses) out.add(a);
    }
  } else {
    for (const pod of view.podsForService(svc)) if (pod.status?.podIP) out.add(pod.status.podIP);
  }
  return [...out].sort();
}

export function desiredRegistrations(view: ModelView, cfg: RegistrySyncConfig, origin: RegistrationOrigin): Registration[] {
  const out: Registration[] = [];
  const allowAll = cfg.allowNamespaces.includes('*');
  for (const ns of view.namespaces()) {
    if ((!allowAll && !cfg.allowNamespaces.includes(ns)) || cfg.denyNamespaces.includes(ns)) continue;
    for (const svc of view.list<Service>('Service', ns)) {
      if (!wanted(svc, cfg)) continue;
      const sp = chosenPort(svc);
      if (!sp) continue;
      const port = targetPort(view, svc, sp);
      if (port <= 0) continue;
      const a = svc.metadata.annotations ?? {};
      const name = a[CloudLabels.serviceName]?.trim() || `${cfg.prefix}${svc.metadata.name}${cfg.namespaceSuffix ? `-${ns}` : ''}`;
      const metadata: Record<string, string> = {};
      for (const [k, v] of cfg.metadata) metadata[k] = v;
      for (const [k, v] of Object.entries(a)) if (k.startsWith(CloudLabels.serviceMetaPrefix)) metadata[k.slice(CloudLabels.serviceMetaPrefix.length)] = v;
      metadata[OriginKeys.clusterSet] = origin.clusterSet;
      metadata[OriginKeys.connectorUid] = origin.registrant;
      metadata[OriginKeys.kubernetesNamespace] = ns;
      const tags = [...cfg.tags, ...(a[CloudLabels.serviceTags] ?? '').split(',').map((t) => t.trim()).filter(Boolean)];
      for (const address of addresses(view, svc, sp)) {
        out.push({ id: `${name}-${address}-${port}-${origin.clusterSet}`.toLowerCase(), service: name, address, port, tags, metadata });
      }
    }
  }
  return out.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}
