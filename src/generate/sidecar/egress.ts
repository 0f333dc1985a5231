/**
 * Egress: Egress policies whose sources name this proxy's ServiceAccount
 * become extra outbound matches (HTTP by host, HTTPS by SNI, TCP by port and
 * IP ranges, optional mTLS origination), and EgressGateways become the
 * `Forward` block. Gated by featureFlags.enableEgressPolicy; the global
 * passthrough flag is `Spec.Traffic.EnableEgress`.
 */
import type { Egress, EgressGateway, Secret, Service, UpstreamTrafficSetting } from '../../model/types.js';
import type { GenContext } from './context.js';
import { report, sorted } from './context.js';
import { idKey, kindKey } from './dependency-keys.js';
import { endpointIPs } from './mesh-services.js';
import { connectionSettings } from './policies.js';
import { setHostRule } from './route-order.js';
import { ErrCodes } from './smi-access.js';
import type { Certificate, ClusterConfig, ForwardTrafficPolicy, OutboundTrafficMatch, OutboundTrafficPolicy } from './types.js';

const ACCEPT_ALL = 100;
const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/(\d|[12]\d|3[0-2])|[0-9a-fA-F:]+\/\d{1,3})$/;

function egressPoliciesFor(ctx: GenContext): Egress[] {
  ctx.deps.add(idKey(ctx.proxy.identity));
  const out: Egress[] = [];
  for (const ns of ctx.view.namespaces()) {
    for (const e of ctx.view.list<Egress>('Egress', ns)) {
      if ((e.spec?.sources ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === ctx.proxy.serviceAccount && (s.namespace || ns) === ctx.proxy.namespace)) out.push(e);
    }
  }
  return sorted(out, (e) => `${e.metadata.namespace}/${e.metadata.name}`);
}

function decode(secret: Secret, key: string): string {
  const s = secret.stringData?.[key];
  if (s !== undefined) return s;
  const d = secret.data?.[key];
  return d === undefined ? '' : Buffer.from(d, 'base64').toString('utf8');
}

function sourceCert(ctx: GenContext, e: Egress): Certificate | undefined {
  const src = (e.spec?.sources ?? []).find((s) => s.name === ctx.proxy.serviceAccount && s.mtls);
  const mtls = src?.mtls;
  if (!mtls) return undefined;
  const fsmIssued = (mtls.issuer ?? '').toLowerCase() === 'fsm';
  const cert: Certificate = { FsmIssued: fsmIssued, Expiration: '', CertChain: '', PrivateKey: '', IssuingCA: '' };
  if (!fsmIssued && mtls.cert?.secret) {
    const ref = mtls.cert.secret;
    const secret = ctx.view.get<Secret>('Secret', ref.namespace, ref.name);
    if (!secret) {
      report(ctx, e, `secret ${ref.namespace}/${ref.name} not found`, { field: 'spec.sources.mtls.cert.secret' });
    } else {
      if (mtls.cert.subjectAltNames) cert.SubjectAltNames = [...mtls.cert.subjectAltNames];
      cert.Expiration = mtls.cert.expiration ?? '';
      cert.IssuingCA = decode(secret, 'ca.crt');
      cert.CertChain = decode(secret, 'tls.crt');
      cert.PrivateKey = decode(secret, 'tls.key');
    }
  }
  return cert;
}

/** Name of the EgressGateway rule forwarding this policy: `<ns>.<egressGatewayName>.<ruleIndex>`. */
function forwardRuleFor(ctx: GenContext, e: Egress): string | undefined {
  ctx.deps.add(kindKey('EgressGateway'));
  for (const gw of sorted(ctx.view.list<EgressGateway>('EgressGateway'), (g) => `${g.metadata.namespace}/${g.metadata.name}`)) {
    const idx = (gw.spec?.rules ?? []).findIndex((r) => r.egressPolicies.some((p) => p.kind === 'Egress' && p.name === e.metadata.name && p.namespace === e.metadata.namespace));
    if (idx >= 0) return `${gw.metadata.namespace}.${gw.metadata.name}.${idx}`;
  }
  return undefined;
}

/** Adds egress matches and clusters to `outbound` (created when absent); returns it. */
export function addEgress(ctx: GenContext, outbound: OutboundTrafficPolicy | null): OutboundTrafficPolicy | null {
  if (!ctx.mesh.flags.enableEgressPolicy) return outbound;
  const policies = egressPoliciesFor(ctx);
  if (policies.length === 0) return outbound;
  const out = outbound ?? { TrafficMatches: {}, ClustersConfigs: {} };
  const named = new Map<string, OutboundTrafficMatch>();
  for (const e of policies) {
    const cert = sourceCert(ctx, e);
    const gw = forwardRuleFor(ctx, e);
    const ranges: string[] = [];
    (e.spec?.ipAddresses ?? []).forEach((r, i) => {
      if (CIDR.test(r)) ranges.push(r);
      else report(ctx, e, `invalid CIDR "${r}"`, { code: ErrCodes.InvalidCIDR, field: `spec.ipAddresses[${i}]` });
    });
    const utsRef = (e.spec?.matches ?? []).find((m) => m.kind === 'UpstreamTrafficSetting');
    const cs = utsRef ? connectionSettings(ctx.view.get<UpstreamTrafficSetting>('UpstreamTrafficSetting', e.metadata.namespace, utsRef.name)) : undefined;
    for (const port of e.spec?.ports ?? []) {
      const protocol = port.protocol.toLowerCase();
      const name = `egress-${protocol}.${port.number}`;
      let tm = named.get(name);
      if (!tm) {
        tm = { DestinationIPRanges: {}, Port: port.number, Protocol: protocol === 'tcp-server-first' ? 'tcp' : protocol };
        named.set(name, tm);
        (out.TrafficMatches[String(port.number)] ??= []).push(tm);
      }
      for (const r of ranges) (tm.DestinationIPRanges ??= {})[r] = cert ? { SourceCert: cert } : null;
      if (protocol === 'http') {
        for (const host of e.spec?.hosts ?? []) {
          const cluster = `${host}:${port.number}`;
          (tm.HttpServiceRouteRules ??= {})[host] = {
            RouteRules: [{ Path: '.*', Type: 'Regex', TargetClusters: { [cluster]: ACCEPT_ALL } }],
            ...(gw ? { EgressForwardGateway: gw } : {}),
          };
          tm.HttpHostPort2Service ??= {};
          setHostRule(tm.HttpHostPort2Service, host, host);
          setHostRule(tm.HttpHostPort2Service, cluster, host);
          out.ClustersConfigs[cluster] = egressCluster({ [cluster]: { Weight: ACCEPT_ALL } }, cert, cs);
        }
      } else if (protocol === 'https') {
        const cluster = String(port.number);
        tm.TcpServiceRouteRules = { TargetClusters: { [cluster]: ACCEPT_ALL }, AllowedEgressTraffic: false, ...(gw ? { EgressForwardGateway: gw } : {}) };
        const eps: ClusterConfig['Endpoints'] = { ...out.ClustersConfigs[cluster]?.Endpoints };
        for (const host of e.spec?.hosts ?? []) eps[`${host}:${port.number}`] = { Weight: ACCEPT_ALL };
        out.ClustersConfigs[cluster] = egressCluster(eps, cert, cs);
      } else {
        tm.TcpServiceRouteRules = { TargetClusters: {}, AllowedEgressTraffic: true, ...(gw ? { EgressForwardGateway: gw } : {}) };
      }
    }
  }
  return out;
}

function egressCluster(endpoints: ClusterConfig['Endpoints'], cert: Certificate | undefined, cs: ClusterConfig['ConnectionSettings']): ClusterConfig {
  return { Endpoints: endpoints, ...(cert ? { SourceCert: cert } : {}), ...(cs ? { ConnectionSettings: cs } : {}) };
}

/** The annotation on an egress gateway's Service that picks how sidecars reach it. */
export const EGRESS_GATEWAY_MODE = 'flomesh.io/egress-gateway-mode';

/**
 * The gateway's mode as FSM reads it: `http2tunnel` (HTTP/2 CONNECT) or
 * FSM's `sock5` (SOCKS5; `socks5` is accepted too), anything else
 * `http2tunnel`. FSM's scripts tunnel with CONNECT for `http2tunnel` and
 * speak SOCKS for any other mode.
 */
function egressGatewayMode(svc: Service): string {
  const mode = svc.metadata.annotations?.[EGRESS_GATEWAY_MODE];
  return mode === 'sock5' || mode === 'socks5' ? mode : 'http2tunnel';
}

/** The `Forward` block from EgressGateways: `*` for global gateways, one match per rule. */
export function buildForward(ctx: GenContext): ForwardTrafficPolicy | undefined {
  if (!ctx.mesh.flags.enableEgressPolicy) return undefined;
  ctx.deps.add(kindKey('EgressGateway'));
  const gateways = sorted(ctx.view.list<EgressGateway>('EgressGateway'), (g) => `${g.metadata.namespace}/${g.metadata.name}`);
  if (gateways.length === 0) return undefined;
  const fwd: ForwardTrafficPolicy = { ForwardMatches: {}, EgressGateways: {} };
  const addGateway = (service: string, namespace: string): string => {
    const name = `${service}.${namespace}`;
    const svc = ctx.view.get<Service>('Service', namespace, service);
    if (svc && !fwd.EgressGateways[name]) {
      const port = svc.spec?.ports?.[0]?.port ?? 0;
      const eps: ClusterConfig['Endpoints'] = {};
      for (const ip of endpointIPs(ctx, svc)) eps[`${ip}:${port}`] = { Weight: ACCEPT_ALL };
      fwd.EgressGateways[name] = { Endpoints: eps, Mode: egressGatewayMode(svc) };
    }
    return name;
  };
  for (const gw of gateways) {
    for (const g of gw.spec?.global ?? []) {
      (fwd.ForwardMatches['*'] ??= {})[addGateway(g.service, g.namespace)] = g.weight || ACCEPT_ALL;
    }
    (gw.spec?.rules ?? []).forEach((rule, idx) => {
      const m = (fwd.ForwardMatches[`${gw.metadata.namespace}.${gw.metadata.name}.${idx}`] ??= {});
      for (const g of rule.egressGateways) m[addGateway(g.service, g.namespace)] = g.weight || ACCEPT_ALL;
    });
  }
  return fwd;
}
