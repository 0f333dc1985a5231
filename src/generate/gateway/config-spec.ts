/**
 * FSM's gateway config (pkg/gateway/fgw/types.go `ConfigSpec`, the
 * config.json FSM's gateway scripts read) from a Gateway's analysis:
 *
 *   Configs      fgw.Defaults, from MeshConfig gatewayAPI
 *   Listeners    one per port of the programmed listeners (Listen = port + 60000 below 1024)
 *   RouteRules   port → hostname → {RouteType, Matches, policies} (HTTP, HTTPS),
 *                hostname → "host:port" (TLS passthrough), hostname → backends (TLS
 *                terminate), backends (TCP, UDP)
 *   Services     "ns/name:port" → endpoints and service policies
 *   Chains, Features, Version (a content hash)
 *
 * The text is canonical JSON (sorted keys, no whitespace) except where order
 * means something to the scripts: matches in precedence order, and a port's
 * hostnames exact first, then wildcards from the most specific, then `*`.
 */
import { contentHash } from '../../shared/hash.js';
import { RawJson, writeCanonical } from '../canonical-writer.js';
import type { GatewayContext } from './context.js';
import { CHAINS, configsOf, FEATURES, listenPort } from './defaults.js';
import { serviceEndpoints } from './endpoints.js';
import { hostPolicies, orderedEntries, type GatewayAnalysis, type PortRules } from './gateway-analysis.js';
import { compareHostKeys } from './hostnames.js';
import { UNRESOLVED_BACKEND } from './l7-routes.js';
import type { ListenerState } from './listeners.js';
import { portPolicies } from './policies/l7-policies.js';
import { servedOnListener, type RedirectListener } from './redirects.js';
import { servicePolicies } from './policies/service-policies.js';
import { backendName } from './references.js';

export interface GatewayConfig {
  /** The config as a value (RouteRules hosts and matches in the order the text has them). */
  readonly document: Record<string, unknown>;
  /** config.json. */
  readonly json: string;
  /** Content hash of the config without its Version field (which it then holds). */
  readonly version: string;
}

/** A config listener's `Protocol`, `Port` and `Listen`: what the gateway's pod listens on. */
export interface ConfigListener {
  readonly Protocol: string;
  readonly Port: number;
  readonly Listen: number;
}

const configListener = (port: number, states: readonly ListenerState[]): ConfigListener => ({ Protocol: (states[0] as ListenerState).listener.protocol, Port: port, Listen: listenPort(port) });

/** The config listeners of an analysed Gateway (one per port of its programmed listeners), by port. */
export function configListeners(a: GatewayAnalysis): ConfigListener[] {
  return [...a.ports.entries()].sort(([x], [y]) => x - y).map(([port, states]) => configListener(port, states));
}

function listenerConfig(ctx: GatewayContext, a: GatewayAnalysis, port: number, states: readonly ListenerState[]): Record<string, unknown> {
  const l = (states[0] as ListenerState).listener;
  const out: Record<string, unknown> = { ...configListener(port, states) };
  if (l.protocol === 'HTTPS' || l.protocol === 'TLS') {
    if ((l.tls?.mode ?? 'Terminate') === 'Passthrough') out['TLS'] = { TLSModeType: 'Passthrough', MTLS: false };
    else {
      const certs = new Map<string, { CertChain: string; PrivateKey: string }>();
      const cas = new Set<string>();
      for (const s of states) {
        for (const c of s.certificates) certs.set(c.CertChain, c);
        for (const ca of s.caCerts) cas.add(ca);
      }
      out['TLS'] = {
        TLSModeType: 'Terminate',
        ...(states.some((s) => s.mtls) ? { MTLS: true } : {}),
        Certificates: [...certs.values()],
        ...(cas.size > 0 ? { CACerts: [...cas].sort() } : {}),
      };
    }
  }
  return { ...out, ...portPolicies(ctx, a.gateway, port, l.protocol) };
}

function orderedHosts<T>(hosts: Map<string, T>, value: (host: string, v: T) => unknown): { raw: RawJson; doc: Record<string, unknown> } {
  const keys = [...hosts.keys()].sort(compareHostKeys);
  const doc: Record<string, unknown> = {};
  let text = '{';
  keys.forEach((k, i) => {
    const v = value(k, hosts.get(k) as T);
    doc[k] = v;
    text += `${i > 0 ? ',' : ''}${JSON.stringify(k)}:${writeCanonical(v)}`;
  });
  return { raw: new RawJson(`${text}}`), doc };
}

function portRules(ctx: GatewayContext, rules: PortRules, listener: RedirectListener): { raw: unknown; doc: unknown } {
  switch (rules.kind) {
    case 'weights':
      return { raw: rules.weights, doc: rules.weights };
    case 'passthrough':
      return orderedHosts(rules.hosts, (_h, target) => target);
    case 'terminate':
      return orderedHosts(rules.hosts, (_h, weights) => weights);
    case 'l7':
      return orderedHosts(rules.hosts, (host, h) => {
        const policies = hostPolicies(ctx, host, h);
        const matches = orderedEntries(h).map(({ entry, l7 }) => {
          const served = servedOnListener(entry.value, listener);
          const pushed = policies.perRoute.get(l7);
          if (!pushed) return served;
          const merged = { ...served };
          for (const [k, v] of Object.entries(pushed)) if (merged[k] === undefined) merged[k] = v;
          return merged;
        });
        return { RouteType: h.grpc ? 'GRPC' : 'HTTP', Matches: matches, ...policies.host };
      });
  }
}

/** The config of an analysed Gateway. */
export function buildConfigSpec(ctx: GatewayContext, a: GatewayAnalysis): GatewayConfig {
  const listeners = [...a.ports.entries()].sort(([x], [y]) => x - y).map(([port, states]) => listenerConfig(ctx, a, port, states));

  const rulesRaw: Record<string, unknown> = {};
  const rulesDoc: Record<string, unknown> = {};
  for (const [port, rules] of [...a.rules.entries()].sort(([x], [y]) => x - y)) {
    const protocol = a.ports.get(port)?.[0]?.listener.protocol ?? '';
    const r = portRules(ctx, rules, { port, protocol });
    rulesRaw[String(port)] = r.raw;
    rulesDoc[String(port)] = r.doc;
  }

  const services: Record<string, unknown> = {};
  for (const b of a.backends) {
    const name = backendName(b);
    if (services[name]) continue;
    services[name] = { Endpoints: serviceEndpoints(ctx, b.service, b.port), ...servicePolicies(ctx, b.namespace, b.name, b.port) };
  }
  if (a.unresolved) services[UNRESOLVED_BACKEND] = { Endpoints: {} };

  const body = { Configs: configsOf(ctx.view), Listeners: listeners, RouteRules: rulesRaw, Services: services, Chains: CHAINS, Features: FEATURES };
  const withoutVersion = writeCanonical(body);
  const version = contentHash(withoutVersion);
  // `Version` sorts after every other top-level key: appending it gives the canonical text without a second pass.
  const json = `${withoutVersion.slice(0, -1)},"Version":${JSON.stringify(version)}}`;
  return { document: { ...body, RouteRules: rulesDoc, Version: version }, json, version };
}
