/**
 * Services as the sidecar sees them: one MeshPort per Service port (FSM's
 * `MeshService`), its cluster names, endpoints, host names and the
 * identities behind it. Every read records its dependency key.
 */
import { Labels, type Pod, type Service, type ServicePort } from '../../model/types.js';
import type { GenContext } from './context.js';
import { memoize, servicesForPod, sorted } from './context.js';
import { saKey, svcKey } from './dependency-keys.js';

export interface MeshPort {
  readonly namespace: string;
  readonly name: string;
  /** The ServicePort's name ("" when unnamed): EndpointSlice ports refer to it. */
  readonly portName: string;
  readonly port: number;
  readonly targetPort: number;
  /** Lower-case app protocol: http, grpc, tcp, tcp-server-first, https. */
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

/** The service's ports as MeshPorts (TCP/UDP ports without appProtocol default to http, as FSM does). */
export function meshPorts(ctx: GenContext, svc: Service): readonly MeshPort[] {
  const namespace = svc.metadata.namespace ?? '';
  return memoize(ctx, `ports\u0000${namespace}/${svc.metadata.name}`, (c) => computeMeshPorts(c, svc, namespace));
}

function computeMeshPorts(ctx: GenContext, svc: Service, namespace: string): MeshPort[] {
  ctx.deps.add(svcKey(namespace, svc.metadata.name));
  const out: MeshPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    if (sp.protocol === 'UDP' || sp.protocol === 'SCTP') continue;
    out.push({
      namespace,
      name: svc.metadata.name,
      portName: sp.name ?? '',
      port: sp.port,
      targetPort: resolveTargetPort(ctx, svc, sp),
      protocol: (sp.appProtocol ?? 'http').toLowerCase(),
      service: svc,
    });
  }
  return sorted(out, (p) => String(p.port).padStart(5, '0'));
}

/** A Service a registry source created (FSM's cloud-sourced label). */
export function isRegistryService(svc: Service): boolean {
  return svc.metadata.labels?.[Labels.CloudSourcedService] === 'true';
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
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

/** Addresses clients use: cluster IPs, or endpoint IPs for a headless service (those serving `port` when given). */
export function resolvableIPs(ctx: GenContext, svc: Service, port?: MeshPort): readonly string[] {
  if (isHeadless(svc)) return port ? portEndpointIPs(ctx, port) : endpointIPs(ctx, svc);
  const ips = new Set<string>();
  for (const ip of svc.spec?.clusterIPs ?? []) if (ip && ip !== 'None') ips.add(ip);
  if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None') ips.add(svc.spec.clusterIP);
  return [...ips].sort();
}

/** `ip/32` (or `/128` for IPv6). */
export function hostCidr(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/**
 * Host names of a service port, as FSM's `GetHostnamesForService` builds them
 * (svc, svc.ns, svc.ns.svc, then one more trust-domain label at a time, each
 * also with `:port`), honouring serviceAccessNames.
 */
export function hostNames(ctx: GenContext, p: MeshPort, localNamespace: boolean): string[] {
  const { mustWithServicePort, withTrustDomain, mustWithNamespace } = ctx.mesh;
  const out: string[] = [];
  const add = (h: string): void => {
    if (!mustWithServicePort) out.push(h);
    out.push(`${h}:${p.port}`);
  };
  const bare = localNamespace || !mustWithNamespace;
  if (bare) add(p.name);
  // A registry service without cloud.withNamespace is reached by its bare name only (FSM: GetHostnamesForService).
  if (isRegistryService(p.service) && !ctx.mesh.cloudWithNamespace) {
    if (!bare) add(p.name);
    return out;
  }
  add(`${p.name}.${p.namespace}`);
  if (withTrustDomain) {
    let h = `${p.name}.${p.namespace}.svc`;
    add(h);
    for (const seg of ctx.trustDomain.split('.')) {
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
