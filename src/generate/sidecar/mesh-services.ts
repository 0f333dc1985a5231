/**
 * Services as the sidecar sees them: one MeshPort per Service port (FSM's
 * `MeshService`), its cluster names, endpoints, host names and the
 * identities behind it. Every read records its dependency key.
 */
import type { Pod, Service, ServicePort } from '../../model/types.js';
import type { GenContext } from './context.js';
import type { SidecarMeshSettings } from './mesh-settings.js';
import { memoize, servicesForPod, sorted } from './context.js';
import { saKey, svcKey } from './dependency-keys.js';

export interface MeshPort {
  readonly namespace: string;
  readonly name: string;
  /** The ServicePort's name ("" when unnamed): EndpointSlice ports refer to it. */
  readonly portName: string;
  readonly port: number;
  readonly targetPort: number;
  /** Lower-case app protocol: http, grpc, tcp, tcp-server-first, https; `udp` for a UDP port. */
  readonly protocol: string;
  readonly service: Service;
}

/** `ns/svc|targetPort`: the client-side cluster. */
export function clusterName(p: { namespace: string; name: string; targetPort: number }): string {
  return `${p.namespace}/${p.name}|${p.targetPort}`;
}
/** `ns/svc|targetPort|local`: the server-side cluster to the app. */
export function localClusterName(p: { namespace: string; name: string; targetPort: number }): string {
  return `${clusterName(p)}|local`;
}
/** `svc.ns`: FSM's policy (rule set) name. */
export function policyName(p: { namespace: string; name: string }): string {
  return `${p.name}.${p.namespace}`;
}

export function isHttpLike(protocol: string): boolean {
  return protocol === 'http' || protocol === 'grpc';
}
export function isTcpLike(protocol: string): boolean {
  return protocol === 'tcp' || protocol === 'tcp-server-first';
}
export function isUdp(protocol: string): boolean {
  return protocol === 'udp';
}
/**
 * The key of a port's traffic matches: the port number, as FSM's scripts
 * look it up; a UDP port gets `<port>/udp`, so it never shadows the TCP port
 * of the same number (FSM's scripts treat every non-HTTP match as TCP).
 */
export function matchKey(p: Pick<MeshPort, 'port' | 'protocol'>): string {
  return isUdp(p.protocol) ? `${p.port}/udp` : String(p.port);
}
/** The protocol written into traffic matches: `tcp-server-first` is `tcp` to the sidecar. */
export function wireProtocol(protocol: string): string {
  return protocol === 'tcp-server-first' ? 'tcp' : protocol;
}

function resolveTargetPort(ctx: GenContext, svc: Service, sp: ServicePort): number {
  const tp = sp.targetPort;
  if (typeof tp === 'number') return tp;
  if (typeof tp === 'string' && tp !== '') {
    if (/^\d+$/.test(tp)) return Number(tp);
    // A named target port resolves through the selected pods' container ports.
    for (const pod of ctx.view.podsForService(svc)) {
      for (const c of pod.spec?.containers ?? []) {
        const hit = c.ports?.find((p) => p.name === tp);
        if (hit) return hit.containerPort;
      }
    }
    return 0;
  }
  return sp.port;
}

/**
 * The service's ports as MeshPorts. A TCP port's protocol is, as FSM's
 * `ServiceToMeshServices` decides it, its `appProtocol`, else the protocol
 * its name starts with (`tcp-server-first-`, `http-`, `tcp-`, `grpc-`), else
 * http. UDP ports are `udp`; SCTP ports are left out.
 */
export function meshPorts(ctx: GenContext, svc: Service): readonly MeshPort[] {
  const namespace = svc.metadata.namespace ?? '';
  return memoize(ctx, `ports\u0000${namespace}/${svc.metadata.name}`, (c) => computeMeshPorts(c, svc, namespace));
}

function computeMeshPorts(ctx: GenContext, svc: Service, namespace: string): MeshPort[] {
  ctx.deps.add(svcKey(namespace, svc.metadata.name));
  const out: MeshPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    if (sp.protocol === 'SCTP') continue;
    out.push({
      namespace,
      name: svc.metadata.name,
      portName: sp.name ?? '',
      port: sp.port,
      targetPort: resolveTargetPort(ctx, svc, sp),
      protocol: sp.protocol === 'UDP' ? 'udp' : portProtocol(sp),
      service: svc,
    });
  }
  return sorted(out, (p) => `${String(p.port).padStart(5, '0')}${isUdp(p.protocol) ? '/udp' : ''}`);
}

/** FSM's SupportedProtocolsInMesh, in the order it tries them as port-name prefixes. */
const NAMED_PROTOCOLS = ['tcp-server-first', 'http', 'tcp', 'grpc'];

function portProtocol(sp: ServicePort): string {
  if (sp.appProtocol) return sp.appProtocol.toLowerCase();
  return NAMED_PROTOCOLS.find((p) => sp.name?.startsWith(`${p}-`)) ?? 'http';
}

/** Ready endpoint IPs of the service, sorted; from EndpointSlices, else from the selected pods. */
export function endpointIPs(ctx: GenContext, svc: Service): readonly string[] {
  const ns = svc.metadata.namespace ?? '';
  return memoize(ctx, `endpoints\u0000${ns}/${svc.metadata.name}`, (c) => computeEndpointIPs(c, svc, ns));
}

/**
 * Ready endpoint IPs serving one port of the service: slices that list the
 * port by name (as Kubernetes writes them), or list no ports at all. A
 * service whose endpoints differ per port (registry services whose
 * instances listen on different ports) gets each port's own endpoints.
 */
export function portEndpointIPs(ctx: GenContext, p: MeshPort): readonly string[] {
  return memoize(ctx, `endpoints\u0000${p.namespace}/${p.name}\u0000${p.portName}`, (c) => computeEndpointIPs(c, p.service, p.namespace, p.portName));
}

function computeEndpointIPs(ctx: GenContext, svc: Service, ns: string, portName?: string): string[] {
  ctx.deps.add(svcKey(ns, svc.metadata.name));
  const ips = new Set<string>();
  const slices = ctx.view.endpointSlicesForService(ns, svc.metadata.name);
  if (slices.length > 0) {
    for (const slice of slices) {
      if (portName !== undefined && slice.ports?.length && !slice.ports.some((sp) => (sp.name ?? '') === portName)) continue;
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue;
        for (const a of ep.addresses) ips.add(a);
      }
    }
  } else {
    for (const pod of ctx.view.podsForService(svc)) {
      const ip = pod.status?.podIP;
      if (ip) ips.add(ip);
    }
  }
  return [...ips].sort();
}

/**
 * Addresses a client may dial for the service, as FSM's
 * `GetResolvableEndpointsForService`: without a cluster IP (absent, or
 * `None`), the endpoint IPs; with one, the cluster IPs plus, unless
 * serviceAccessMode is `domain`, the endpoint IPs too. Given a port, the
 * endpoint IPs are those serving it.
 */
export function resolvableIPs(ctx: GenContext, svc: Service, port?: MeshPort): readonly string[] {
  // With a port, only the endpoints serving it (registry services whose instances differ per port).
  const endpoints = () => (port ? portEndpointIPs(ctx, port) : endpointIPs(ctx, svc));
  const ips = new Set<string>();
  for (const ip of svc.spec?.clusterIPs ?? []) if (ip && ip !== 'None') ips.add(ip);
  if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None') ips.add(svc.spec.clusterIP);
  if (ips.size === 0) return endpoints();
  if (ctx.mesh.serviceAccessMode !== 'domain') for (const ip of endpoints()) ips.add(ip);
  return [...ips].sort();
}

/** `ip/32` (or `/128` for IPv6). */
export function hostCidr(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/** Annotation FSM's connectors put on services that come from a service registry. */
export const CLOUD_INHERITED_FROM = 'flomesh.io/cloud-service-inherited-from';

/**
 * Host names of a service port, exactly as FSM's `GetHostnamesForService`
 * (pkg/k8s/util.go) builds them, honouring serviceAccessNames:
 * `svc` and `svc:port` when the caller is in the service's namespace or
 * `mustWithNamespace` is false; for a registry service with
 * `cloud.withNamespace` false, `svc` and `svc:port` again and nothing more;
 * otherwise `svc.ns`, `svc.ns:port`, and with `withTrustDomain` `svc.ns.svc`
 * then one more trust-domain label at a time, each also with `:port`.
 * `mustWithServicePort` drops every name without a port. Duplicates are
 * kept, as FSM keeps them (a map key written twice is one key).
 */
export function hostNames(ctx: GenContext, p: MeshPort, localNamespace: boolean): string[] {
  return serviceHostNames(ctx.mesh, ctx.trustDomain, p, localNamespace);
}

/** The serviceAccessNames settings host names depend on. */
export type HostNameSettings = Pick<SidecarMeshSettings, 'mustWithServicePort' | 'withTrustDomain' | 'mustWithNamespace' | 'cloudWithNamespace'>;

/** `hostNames` without a generation context (certificate SANs use it too). */
export function serviceHostNames(
  settings: HostNameSettings,
  trustDomain: string,
  p: Pick<MeshPort, 'name' | 'namespace' | 'port'> & { readonly service: Pick<Service, 'metadata'> },
  localNamespace: boolean,
): string[] {
  const { mustWithServicePort, withTrustDomain, mustWithNamespace, cloudWithNamespace } = settings;
  const out: string[] = [];
  const add = (h: string): void => {
    if (!mustWithServicePort) out.push(h);
    out.push(`${h}:${p.port}`);
  };
  if (localNamespace || !mustWithNamespace) add(p.name);
  if (p.service.metadata.annotations?.[CLOUD_INHERITED_FROM] && !cloudWithNamespace) {
    add(p.name);
    return out;
  }
  add(`${p.name}.${p.namespace}`);
  if (withTrustDomain) {
    let h = `${p.name}.${p.namespace}.svc`;
    add(h);
    for (const seg of trustDomain.split('.')) {
      if (seg === '') continue;
      h = `${h}.${seg}`;
      add(h);
    }
  }
  return out;
}

/** Host names for outbound: names per serviceAccessMode, plus resolvable IPs in ip/mixed mode. */
export function outboundHostNames(ctx: GenContext, p: MeshPort, localNamespace: boolean): string[] {
  const mode = ctx.mesh.serviceAccessMode;
  const out = mode === 'ip' ? [] : hostNames(ctx, p, localNamespace);
  if (mode !== 'domain') {
    for (const ip of resolvableIPs(ctx, p.service, p)) {
      if (!ctx.mesh.mustWithServicePort) out.push(ip);
      out.push(`${ip}:${p.port}`);
    }
  }
  return out;
}

/** Identities (`sa.ns`) of the pods behind a service. */
export function serviceIdentities(ctx: GenContext, svc: Service): string[] {
  const ids = new Set<string>();
  for (const pod of ctx.view.podsForService(svc)) ids.add(podIdentity(pod));
  return [...ids].sort();
}

export function podIdentity(pod: Pod): string {
  return `${pod.spec?.serviceAccountName ?? 'default'}.${pod.metadata.namespace ?? ''}`;
}

/** Services backing pods of an identity (what a TrafficTarget destination exposes). */
export function servicesForIdentity(ctx: GenContext, identity: string): readonly Service[] {
  return memoize(ctx, `services-of\u0000${identity}`, (c) => {
    const [sa, ns] = splitIdentity(identity);
    c.deps.add(saKey(ns, sa));
    const seen = new Map<string, Service>();
    for (const pod of c.view.podsByServiceAccount(ns, sa)) {
      for (const svc of servicesForPod(c, pod)) seen.set(`${svc.metadata.namespace}/${svc.metadata.name}`, svc);
    }
    const out = sorted(seen.values(), (s) => `${s.metadata.namespace}/${s.metadata.name}`);
    for (const s of out) c.deps.add(svcKey(s.metadata.namespace ?? '', s.metadata.name));
    return out;
  });
}

/** Pod IPs of an identity, sorted. */
export function identityIPs(ctx: GenContext, identity: string): readonly string[] {
  return memoize(ctx, `ips-of\u0000${identity}`, (c) => {
    const [sa, ns] = splitIdentity(identity);
    c.deps.add(saKey(ns, sa));
    const ips = new Set<string>();
    for (const pod of c.view.podsByServiceAccount(ns, sa)) {
      for (const ip of podIPs(pod)) ips.add(ip);
    }
    return [...ips].sort();
  });
}

export function podIPs(pod: Pod): string[] {
  const out = new Set<string>();
  if (pod.status?.podIP) out.add(pod.status.podIP);
  for (const p of pod.status?.podIPs ?? []) if (p.ip) out.add(p.ip);
  return [...out];
}

/** `sa.ns` → [sa, ns]: a namespace is a DNS label (no dots), so it is what follows the last dot. */
export function splitIdentity(identity: string): [string, string] {
  const i = identity.lastIndexOf('.');
  return i < 0 ? [identity, ''] : [identity.slice(0, i), identity.slice(i + 1)];
}
