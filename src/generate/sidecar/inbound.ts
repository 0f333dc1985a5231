/**
 * The `Inbound` block: one traffic match per port of every service this
 * proxy backs (keyed by the service port, `Port` = the target port, as FSM
 * writes it), host names → rule sets for HTTP, local clusters to
 * `127.0.0.1:<targetPort>`. Permissive mode admits everyone on a wildcard
 * route; SMI mode admits only what TrafficTargets allow.
 */
import type { Service } from '../../model/types.js';
import type { GenContext } from './context.js';
import { servicesForPod } from './context.js';
import {
  hostNames, identityIPs, isHttpLike, isTcpLike, isUdp, localClusterName, matchKey, meshPorts, policyName, wireProtocol, type MeshPort,
} from './mesh-services.js';
import { apexServicesOf, httpLocalRateLimit, tcpLocalRateLimit, upstreamTrafficSettingFor } from './policies.js';
import type { PluginAttachments } from './plugins.js';
import { inboundAccess, type InboundAccess, type SmiIndex } from './smi-access.js';
import type { InboundHTTPRouteRule, InboundHTTPRouteRules, InboundTrafficMatch, InboundTrafficPolicy } from './types.js';
import { setHostRule } from './route-order.js';

const LOCALHOST = '127.0.0.1';
const ACCEPT_ALL = 100;

function ruleSet(ctx: GenContext, p: MeshPort, access: InboundAccess | undefined, plugins: PluginAttachments): InboundHTTPRouteRules {
  const local = { [localClusterName(p)]: ACCEPT_ALL };
  const uts = upstreamTrafficSettingFor(ctx, p.service);
  const routeLimits = uts?.spec?.httpRoutes ?? [];
  const limitFor = (path: string): InboundHTTPRouteRule['RateLimit'] => {
    const hit = routeLimits.find((r) => r.path === path)?.rateLimit?.local;
    return hit ? { Local: httpLocalRateLimit(hit) } : undefined;
  };
  const rules: InboundHTTPRouteRule[] = [];
  const allowed: Record<string, string> = {};
  if (!access) {
    const limit = limitFor('.*');
    rules.push({ Path: '.*', Type: 'Regex', TargetClusters: local, ...(limit ? { RateLimit: limit } : {}) });
  } else {
    for (const r of access.http) {
      const limit = limitFor(r.path);
      rules.push({
        Path: r.path,
        Type: 'Regex',
        ...(r.headers ? { Headers: { ...r.headers } } : {}),
        ...(r.methods ? { Methods: [...r.methods] } : {}),
        TargetClusters: { ...local },
        AllowedServices: [...r.sources],
        ...(limit ? { RateLimit: limit } : {}),
      });
      for (const id of r.sources) for (const ip of identityIPs(ctx, id)) allowed[ip] ??= id;
    }
  }
  const httpLimit = uts?.spec?.rateLimit?.local?.http;
  const attached = plugins.forService(p.namespace, p.name, 'inbound-http');
  return {
    RouteRules: rules,
    ...(attached ? { Plugins: attached } : {}),
    ...(httpLimit ? { RateLimit: { Local: httpLocalRateLimit(httpLimit) } } : {}),
    ...(Object.keys(allowed).length > 0 ? { AllowedEndpoints: allowed } : {}),
  };
}

/** Whether SMI lets anyone reach a TCP port (TCPRoute) or a UDP port (UDPRoute); permissive mode: yes. */
function portAllowed(access: InboundAccess | undefined, p: MeshPort): boolean {
  if (!access) return true;
  const ports = isUdp(p.protocol) ? access.udp : access.tcp;
  return ports.has('*') || ports.has(p.targetPort) || ports.has(p.port);
}

/** Builds the Inbound block; `undefined` when the proxy backs no service. */
export function buildInbound(ctx: GenContext, smi: SmiIndex, plugins: PluginAttachments): InboundTrafficPolicy | null {
  const pod = ctx.proxy.pod;
  const services = servicesForPod(ctx, pod);
  if (services.length === 0) return null;
  const access = ctx.mesh.permissive ? undefined : inboundAccess(ctx, smi);
  const matches: Record<string, InboundTrafficMatch> = {};
  const clusters: Record<string, Record<string, number>> = {};

  const addService = (svc: Service, hostsOf: Service): void => {
    for (const p of meshPorts(ctx, svc)) {
      if (p.targetPort <= 0) continue;
      clusters[localClusterName(p)] = { [`${LOCALHOST}:${p.targetPort}`]: ACCEPT_ALL };
      const tm = (matches[matchKey(p)] ??= { Port: p.targetPort, Protocol: wireProtocol(p.protocol) });
      const tcpLimit = tcpLocalRateLimit(upstreamTrafficSettingFor(ctx, svc));
      if (tcpLimit && !tm.RateLimit) tm.RateLimit = { Local: tcpLimit };
      if (isHttpLike(p.protocol)) {
        // Hosts come from `hostsOf` (the apex for a split backend), rules route to this service's local cluster.
        const hostPort = { ...p, name: hostsOf.metadata.name };
        const name = policyName(hostPort);
        tm.HttpServiceRouteRules ??= {};
        tm.HttpServiceRouteRules[name] = ruleSet(ctx, p, access, plugins);
        tm.HttpHostPort2Service ??= {};
        for (const h of hostNames(ctx, hostPort, true)) setHostRule(tm.HttpHostPort2Service, h, name);
      } else if ((isTcpLike(p.protocol) || isUdp(p.protocol)) && portAllowed(access, p)) {
        // UDP rides FSM's TCP route shape (FSM's own scripts proxy no UDP; their matches are keyed apart, see matchKey).
        const attached = isUdp(p.protocol) ? undefined : plugins.forService(p.namespace, p.name, 'inbound-tcp');
        tm.TcpServiceRouteRules = { TargetClusters: { ...tm.TcpServiceRouteRules?.TargetClusters, [localClusterName(p)]: ACCEPT_ALL }, ...(attached ? { Plugins: attached } : {}) };
      }
    }
  };
  for (const svc of services) {
    addService(svc, svc);
    // A split backend must also accept requests addressed to the apex service's names.
    for (const apex of apexServicesOf(ctx, svc)) addService(svc, apex);
  }
  return { TrafficMatches: matches, ClustersConfigs: clusters };
}
