/**
 * Dependency keys: the vocabulary shared by the generator (which records the
 * keys it reads, per proxy) and the config set (which maps a model change to
 * the keys it touches and recomputes only proxies that recorded one).
 *
 *   svc:<ns>/<name>   a Service, its ports, endpoints and the policies naming it
 *   sa:<ns>/<sa>      the pods (and IPs) running as a service account
 *   id:<sa>.<ns>      policies naming an identity (TrafficTarget, Retry, Egress)
 *   kind:<Kind>       every object of a kind that is read as a whole (EgressGateway, plugins)
 *   mesh              the MeshConfig and the set of meshed namespaces
 *   services          the set of Services (added or deleted; permissive outbound lists them all)
 *   pods              every meshed pod IP (permissive AllowedEndpoints)
 *   proxy:<uuid>      the proxy's own pod
 */
import type { MeshObject, Pod, Service } from '../../model/types.js';
import { Labels } from '../../model/types.js';
import type { ModelChange, ModelView } from '../../model/view.js';

export const svcKey = (ns: string, name: string): string => `svc:${ns}/${name}`;
export const saKey = (ns: string, sa: string): string => `sa:${ns}/${sa}`;
export const idKey = (identity: string): string => `id:${identity}`;
export const kindKey = (kind: string): string => `kind:${kind}`;
export const MESH_KEY = 'mesh';
export const PODS_KEY = 'pods';
export const SERVICES_KEY = 'services';
export const proxyKey = (uuid: string): string => `proxy:${uuid}`;

type Spec = Record<string, any>;

function spec(obj: MeshObject): Spec {
  return (obj.spec ?? {}) as Spec;
}

function podKeys(view: ModelView, pod: Pod, out: Set<string>): void {
  const ns = pod.metadata.namespace ?? '';
  out.add(saKey(ns, pod.spec?.serviceAccountName ?? 'default'));
  out.add(PODS_KEY);
  const uuid = pod.metadata.labels?.[Labels.ProxyUUID];
  if (uuid) out.add(proxyKey(uuid));
  for (const svc of view.servicesForPod(pod)) out.add(svcKey(ns, svc.metadata.name));
}

function subjectIdentity(subject: Spec | undefined, dfltNs: string): string | undefined {
  if (!subject || typeof subject.name !== 'string') return undefined;
  return `${subject.name}.${typeof subject.namespace === 'string' && subject.namespace ? subject.namespace : dfltNs}`;
}

/** Keys touched by one version (old or new) of an object. */
function objectKeys(view: ModelView, obj: MeshObject, out: Set<string>): void {
  const ns = obj.metadata.namespace ?? '';
  const s = spec(obj);
  switch (obj.kind) {
    case 'Pod':
      podKeys(view, obj as Pod, out);
      return;
    case 'Service':
      out.add(svcKey(ns, obj.metadata.name));
      // A selector change moves pods in or out: those pods' proxies see new inbound config.
      for (const pod of view.podsForService(obj as Service)) podKeys(view, pod, out);
      return;
    case 'EndpointSlice':
    case 'Endpoints': {
      const svc = obj.metadata.labels?.[Labels.EndpointSliceService] ?? (obj.kind === 'Endpoints' ? obj.metadata.name : undefined);
      if (svc) out.add(svcKey(ns, svc));
      return;
    }
    case 'ServiceAccount':
      out.add(saKey(ns, obj.metadata.name));
      return;
    case 'TrafficTarget': {
      const dst = subjectIdentity(s.destination, ns);
      if (dst) out.add(idKey(dst));
      for (const src of (s.sources ?? []) as Spec[]) {
        const id = subjectIdentity(src, ns);
        if (id) out.add(idKey(id));
      }
      return;
    }
    case 'HTTPRouteGroup':
    case 'TCPRoute':
    case 'UDPRoute':
      // Which TrafficTargets name the route is cheap to find: every identity of those targets.
      for (const tt of view.list('TrafficTarget', ns)) {
        const rules = (spec(tt).rules ?? []) as Spec[];
        if (rules.some((r) => r.kind === obj.kind && r.name === obj.metadata.name)) objectKeys(view, tt, out);
      }
      return;
    case 'TrafficSplit': {
      const apex = typeof s.service === 'string' ? s.service.split('.')[0] ?? '' : '';
      if (apex) out.add(svcKey(ns, apex));
      for (const b of (s.backends ?? []) as Spec[]) if (typeof b.service === 'string') out.add(svcKey(ns, b.service));
      return;
    }
    case 'UpstreamTrafficSetting': {
      const host = typeof s.host === 'string' ? s.host.split('.') : [];
      if (host[0]) out.add(svcKey(host[1] ?? ns, host[0]));
      return;
    }
    case 'Retry':
    case 'Egress':
      if (s.source) {
        const id = subjectIdentity(s.source, ns);
        if (id) out.add(idKey(id));
      }
      for (const src of (s.sources ?? []) as Spec[]) {
        const id = subjectIdentity(src, ns);
        if (id) out.add(idKey(id));
      }
      for (const d of (s.destinations ?? []) as Spec[]) if (typeof d.name === 'string') out.add(svcKey(d.namespace ?? ns, d.name));
      if (obj.kind === 'Egress') out.add(kindKey('EgressGateway'));
      return;
    case 'IngressBackend':
    case 'AccessControl':
      for (const b of (s.backends ?? []) as Spec[]) if (typeof b.name === 'string') out.add(svcKey(ns, b.name));
      return;
    case 'PluginConfig':
      for (const d of (s.destinationRefs ?? []) as Spec[]) if (typeof d.name === 'string') out.add(svcKey(d.namespace ?? ns, d.name));
      out.add(kindKey('PluginConfig'));
      return;
    case 'MeshConfig':
    case 'Namespace':
      out.add(MESH_KEY);
      return;
    default:
      out.add(kindKey(obj.kind));
  }
}

/**
 * Keys a change touches: those of the old and of the new version, evaluated
 * against the view (the view reflects the new state; old labels are read
 * from the old object, so a pod leaving a service still reaches it).
 */
export function changeKeys(view: ModelView, changes: Iterable<ModelChange>): Set<string> {
  const out = new Set<string>();
  for (const c of changes) {
    if (c.old) objectKeys(view, c.old, out);
    if (c.new) objectKeys(view, c.new, out);
    if (c.kind === 'Service' && (!c.old || !c.new)) out.add(SERVICES_KEY);
  }
  return out;
}
