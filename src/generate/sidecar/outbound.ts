/**
 * The `Outbound` block for the mesh: every service this proxy may reach
 * (every meshed service in permissive mode; in SMI mode the services of the
 * destination identities of TrafficTargets naming this proxy as a source).
 * HTTP services on one port share one traffic match (rule sets by
 * `svc.ns`); each TCP service gets its own. Clusters list endpoints as
 * `podIP:<servicePort>` with their weights, plus connection settings and
 * retry policy.
 */
import type { Service } from '../../model/types.js';
import type { GenContext } from './context.js';
import { sorted } from './context.js';
import { MESH_KEY, SERVICES_KEY } from './dependency-keys.js';
import {
  clusterName, hostCidr, isHttpLike, isTcpLike, isUdp, matchKey, meshPorts, outboundHostNames, policyName, portEndpointIPs, resolvableIPs,
  servicesForIdentity, wireProtocol, type MeshPort,
} from './mesh-services.js';
import { connectionSettings, retryPolicyFor, trafficSplitFor, upstreamTrafficSettingFor } from './policies.js';
import type { PluginAttachments } from './plugins.js';
import { setHostRule } from './route-order.js';
import { outboundIdentities, type SmiIndex } from './smi-access.js';
import type { ClusterConfig, OutboundTrafficMatch, OutboundTrafficPolicy, WeightedClusters } from './types.js';

const ACCEPT_ALL = 100;

/** Services the proxy may call, sorted by namespace/name. */
export function reachableServices(ctx: GenContext, smi: SmiIndex): Service[] {
  const seen = new Map<string, Service>();
  if (ctx.mesh.permissive) {
    ctx.deps.add(MESH_KEY);
    ctx.deps.add(SERVICES_KEY);
    for (const ns of ctx.view.namespaces()) {
      for (const svc of ctx.view.list<Service>('Service', ns)) seen.set(`${ns}/${svc.metadata.name}`, svc);
    }
  } else {
    for (const id of outboundIdentities(ctx, smi)) {
      for (const svc of servicesForIdentity(ctx, id)) seen.set(`${svc.metadata.namespace}/${svc.metadata.name}`, svc);
    }
    // Apex services of splits among reachable backends are reachable too (the apex may select no pod).
    for (const svc of [...seen.values()]) {
      const ns = svc.metadata.namespace ?? '';
      for (const split of ctx.view.list<{ kind: string; metadata: { name: string }; apiVersion: string; spec?: { service?: string; backends?: { service: string }[] } }>('TrafficSplit', ns)) {
        if (!(split.spec?.backends ?? []).some((b) => b.service === svc.metadata.name)) continue;
        const apex = ctx.view.get<Service>('Service', ns, (split.spec?.service ?? '').split('.')[0] ?? '');
        if (apex) seen.set(`${ns}/${apex.metadata.name}`, apex);
      }
    }
  }
  return sorted(seen.values(), (s) => `${s.metadata.namespace}/${s.metadata.name}`);
}

/** TargetClusters for a service port: the split's backends by weight, else the service itself. */
function targetClusters(ctx: GenContext, p: MeshPort): { clusters: WeightedClusters; backends: MeshPort[] } {
  const split = trafficSplitFor(ctx, p.service);
  if (split) {
    const clusters: WeightedClusters = {};
    const backends: MeshPort[] = [];
    for (const b of sorted(split.spec?.backends ?? [], (x) => x.service)) {
      const svc = ctx.view.get<Service>('Service', p.namespace, b.service);
      if (!svc) continue;
      const ports = meshPorts(ctx, svc);
      const bp = ports.find((x) => x.port === p.port && isUdp(x.protocol) === isUdp(p.protocol)) ?? ports.find((x) => isUdp(x.protocol) === isUdp(p.protocol));
      if (!bp || bp.targetPort <= 0) continue;
      clusters[clusterName(bp)] = b.weight;
      backends.push(bp);
    }
    if (backends.length > 0) {
      // FSM: if every backend weighs 0 they all become accept-all.
      if (Object.values(clusters).every((w) => w === 0)) for (const k of Object.keys(clusters)) clusters[k] = ACCEPT_ALL;
      return { clusters, backends };
    }
  }
  return { clusters: { [clusterName(p)]: ACCEPT_ALL }, backends: [p] };
}

function clusterConfig(ctx: GenContext, p: MeshPort, caller: Service): ClusterConfig {
  const endpoints: ClusterConfig['Endpoints'] = {};
  for (const ip of portEndpointIPs(ctx, p)) endpoints[ip.includes(':') ? `[${ip}]:${p.port}` : `${ip}:${p.port}`] = { Weight: ACCEPT_ALL };
  const cs = connectionSettings(upstreamTrafficSettingFor(ctx, p.service));
  // Retry is looked up for the service the client addressed (the apex for a split).
  const retry = retryPolicyFor(ctx, caller) ?? retryPolicyFor(ctx, p.service);
  return { Endpoints: endpoints, ...(cs ? { ConnectionSettings: cs } : {}), ...(retry ? { RetryPolicy: retry } : {}) };
}

export function buildOutbound(ctx: GenContext, smi: SmiIndex, plugins: PluginAttachments): OutboundTrafficPolicy | null {
  const services = reachableServices(ctx, smi);
  const byPort = new Map<string, Map<string, OutboundTrafficMatch>>();
  const clusters: Record<string, ClusterConfig> = {};
  const matchFor = (p: MeshPort, name: string): OutboundTrafficMatch => {
    const key = matchKey(p);
    let named = byPort.get(key);
    if (!named) byPort.set(key, (named = new Map()));
    let tm = named.get(name);
    if (!tm) named.set(name, (tm = { DestinationIPRanges: {}, Port: p.port, Protocol: wireProtocol(p.protocol) }));
    return tm;
  };
  for (const svc of services) {
    for (const p of meshPorts(ctx, svc)) {
      if (p.targetPort <= 0 || !(isHttpLike(p.protocol) || isTcpLike(p.protocol) || isUdp(p.protocol))) continue;
      const tm = matchFor(p, isHttpLike(p.protocol) ? 'http' : `${p.namespace}/${p.name}`);
      for (const ip of resolvableIPs(ctx, svc, p)) (tm.DestinationIPRanges ??= {})[hostCidr(ip)] = null;
      const { clusters: targets, backends } = targetClusters(ctx, p);
      for (const b of backends) clusters[clusterName(b)] ??= clusterConfig(ctx, b, svc);
      if (isHttpLike(p.protocol)) {
        const name = policyName(p);
        const attached = plugins.forService(p.namespace, p.name, 'outbound-http');
        (tm.HttpServiceRouteRules ??= {})[name] = {
          RouteRules: [{ Path: '.*', Type: 'Regex', TargetClusters: targets }],
          ...(attached ? { Plugins: attached } : {}),
        };
        tm.HttpHostPort2Service ??= {};
        for (const h of outboundHostNames(ctx, p, p.namespace === ctx.proxy.namespace)) setHostRule(tm.HttpHostPort2Service, h, name);
      } else {
        const attached = isUdp(p.protocol) ? undefined : plugins.forService(p.namespace, p.name, 'outbound-tcp');
        tm.TcpServiceRouteRules = { TargetClusters: targets, AllowedEgressTraffic: false, ...(attached ? { Plugins: attached } : {}) };
      }
    }
  }
  if (byPort.size === 0) return null;
  const matches: Record<string, OutboundTrafficMatch[]> = {};
  for (const [port, named] of byPort) matches[port] = [...named.values()];
  return { TrafficMatches: matches, ClustersConfigs: clusters };
}
