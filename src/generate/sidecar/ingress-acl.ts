/**
 * IngressBackend and AccessControl: inbound matches that admit traffic from
 * outside the mesh (ingress controllers, IP ranges, authenticated
 * principals). Each backend port becomes (or extends) the inbound match
 * keyed by that port, with `SourceIPRanges` carrying the TLS requirements,
 * and a `*` host rule set to the backend's local cluster. The source IPs are
 * added to AllowedEndpoints by the caller (sidecar-config.ts).
 */
import type { AccessControl, IngressBackend, Service } from '../../model/types.js';
import type { GenContext } from './context.js';
import { report, servicesForPod, sorted } from './context.js';
import { svcKey } from './dependency-keys.js';
import { endpointIPs, hostCidr, localClusterName, meshPorts } from './mesh-services.js';
import { httpLocalRateLimit, tcpLocalRateLimit, upstreamTrafficSettingFor } from './policies.js';
import { ErrCodes } from './smi-access.js';
import type { InboundTrafficPolicy, SourceSecuritySpec } from './types.js';

const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/(\d|[12]\d|3[0-2])|[0-9a-fA-F:]+\/\d{1,3})$/;
const ACCEPT_ALL = 100;

type Backendish = IngressBackend | AccessControl;

function apply(ctx: GenContext, inbound: InboundTrafficPolicy, svc: Service, policy: Backendish): void {
  const ns = svc.metadata.namespace ?? '';
  for (const backend of policy.spec?.backends ?? []) {
    if (backend.name !== svc.metadata.name) continue;
    const mp = meshPorts(ctx, svc).find((p) => p.targetPort === backend.port.number);
    if (!mp) continue;
    const protocol = backend.port.protocol.toLowerCase();
    const key = String(backend.port.number);
    const uts = upstreamTrafficSettingFor(ctx, svc);
    const tm = (inbound.TrafficMatches[key] ??= { Port: backend.port.number, Protocol: protocol });
    if (!tm.RateLimit) {
      const tcpLimit = tcpLocalRateLimit(uts);
      if (tcpLimit) tm.RateLimit = { Local: tcpLimit };
    }
    const ranges: string[] = [];
    const principals = new Set<string>();
    policy.spec?.sources.forEach((src, i) => {
      if (src.kind === 'Service') {
        const srcNs = src.namespace || ns;
        ctx.deps.add(svcKey(srcNs, src.name));
        const s = ctx.view.get<Service>('Service', srcNs, src.name);
        const ips = s ? endpointIPs(ctx, s) : [];
        if (ips.length === 0) report(ctx, policy, `no endpoints for source service ${srcNs}/${src.name}`, { code: ErrCodes.EndpointsNotFound, field: `spec.sources[${i}]` });
        for (const ip of ips) ranges.push(hostCidr(ip));
      } else if (src.kind === 'IPRange') {
        if (CIDR.test(src.name)) ranges.push(src.name);
        else report(ctx, policy, `invalid CIDR "${src.name}"`, { code: ErrCodes.InvalidCIDR, field: `spec.sources[${i}].name` });
      } else if (src.kind === 'AuthenticatedPrincipal') {
        principals.add(backend.tls?.skipClientCertValidation ? '*' : src.name);
      }
    });
    const security: SourceSecuritySpec | null = backend.tls
      ? { mTLS: true, SkipClientCertValidation: backend.tls.skipClientCertValidation, AuthenticatedPrincipals: principals.size > 0 ? [...principals].sort() : null }
      : null;
    for (const r of ranges) (tm.SourceIPRanges ??= {})[r] ??= security;
    if (protocol === 'http' || protocol === 'https' || protocol === 'grpc') {
      const httpLimit = uts?.spec?.rateLimit?.local?.http;
      (tm.HttpHostPort2Service ??= {})['*'] = { RuleName: '*' };
      (tm.HttpServiceRouteRules ??= {})['*'] = {
        RouteRules: [{ Path: '.*', Type: 'Regex', TargetClusters: { [localClusterName(mp)]: ACCEPT_ALL } }],
        ...(httpLimit ? { RateLimit: { Local: httpLocalRateLimit(httpLimit) } } : {}),
      };
    } else {
      tm.TcpServiceRouteRules = { TargetClusters: { ...tm.TcpServiceRouteRules?.TargetClusters, [localClusterName(mp)]: ACCEPT_ALL } };
    }
  }
}

/** Applies IngressBackend / AccessControl policies of the proxy's services to `inbound`. */
export function addIngressAndAccessControl(ctx: GenContext, inbound: InboundTrafficPolicy | null): void {
  if (!inbound) return;
  const services = servicesForPod(ctx, ctx.proxy.pod);
  for (const svc of services) {
    const ns = svc.metadata.namespace ?? '';
    const kinds: [string, boolean][] = [
      ['IngressBackend', ctx.mesh.flags.enableIngressBackendPolicy],
      ['AccessControl', ctx.mesh.flags.enableAccessControlPolicy],
    ];
    for (const [kind, enabled] of kinds) {
      if (!enabled) continue;
      const policies = ctx.view.list<Backendish>(kind, ns).filter((p) => (p.spec?.backends ?? []).some((b) => b.name === svc.metadata.name));
      for (const p of sorted(policies, (x) => x.metadata.name)) apply(ctx, inbound, svc, p);
    }
  }
}
