/**
 * One Gateway looked at whole: its listeners, the routes attached to each,
 * the route rules per port and the backends they use. The config
 * (config-spec.ts) and the status (status/) are both read off this one
 * analysis, so what is configured and what is reported cannot disagree.
 *
 * Precedence between routes follows the Gateway API: the oldest route
 * (creationTimestamp, then namespace/name) wins a tie. On one hostname HTTP
 * matches of every route are ordered by match precedence; a hostname serves
 * either HTTPRoutes or GRPCRoutes (FSM's config has one RouteType per host),
 * the oldest route's kind; a TCP or UDP listener forwards for its oldest
 * route, a TLS listener per hostname for the oldest route naming it.
 */
import type { AnyRoute, Condition, Gateway, L4Route } from '../../model/gateway-types.js';
import { GatewayKinds } from '../../model/gateway-types.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { attachRoute, type ParentAttachment } from './attachment.js';
import { condition } from './conditions.js';
import { keyOfObject, report, routesOf, type GatewayContext } from './context.js';
import { passthroughBackend, weightedBackends } from './l4-routes.js';
import { l7Route, type L7Entry, type L7Route } from './l7-routes.js';
import { routesKey } from './keys.js';
import { listenerStates, type ListenerState } from './listeners.js';
import { hostnamePolicies, type L7Policies } from './policies/l7-policies.js';
import type { BackendTarget, RefFailure } from './references.js';

/** The routes of one host of an HTTP/HTTPS port, in route precedence order. */
export interface L7Host {
  readonly grpc: boolean;
  readonly routes: { readonly l7: L7Route; readonly rank: number }[];
}

export type PortRules =
  | { readonly kind: 'l7'; readonly hosts: Map<string, L7Host> }
  | { readonly kind: 'passthrough'; readonly hosts: Map<string, string> }
  | { readonly kind: 'terminate'; readonly hosts: Map<string, Record<string, number>> }
  | { readonly kind: 'weights'; readonly weights: Record<string, number> };

export interface RouteOnGateway {
  readonly route: AnyRoute;
  /** One per parentRef naming this Gateway. */
  readonly parents: readonly { readonly attachment: ParentAttachment; readonly accepted: Condition }[];
  readonly resolvedRefs: Condition;
}

export interface GatewayAnalysis {
  readonly gateway: Gateway;
  readonly listeners: readonly ListenerState[];
  /** Listener name → routes attached to it (the listener's attachedRoutes). */
  readonly attachedRoutes: ReadonlyMap<string, number>;
  readonly routes: readonly RouteOnGateway[];
  /** Programmed listeners by port (the first one names the port's protocol). */
  readonly ports: ReadonlyMap<number, readonly ListenerState[]>;
  readonly rules: ReadonlyMap<number, PortRules>;
  /** Backends the rules name. */
  readonly backends: readonly BackendTarget[];
  /** Whether some rule names the `!unresolved` backend. */
  readonly unresolved: boolean;
}

const L7_KINDS = new Set<string>([GatewayKinds.HTTPRoute, GatewayKinds.GRPCRoute]);

/** ResolvedRefs from the route's failures: distinct, sorted (backendRefs order means nothing), the first one's reason. */
function resolvedRefs(route: AnyRoute, failures: readonly RefFailure[]): Condition {
  const unique = [...new Map(failures.map((f) => [`${f.message}\u0000${f.reason}`, f])).values()].sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  const first = unique[0];
  return first
    ? condition(route, 'ResolvedRefs', false, first.reason, unique.map((f) => f.message).join('; '))
    : condition(route, 'ResolvedRefs', true, 'ResolvedRefs', 'all references are resolved');
}

export function analyzeGateway(ctx: GatewayContext, gw: Gateway): GatewayAnalysis {
  const gwKey = keyOfObject(gw);
  ctx.deps.add(routesKey(gwKey));
  const listeners = listenerStates(ctx, gw);
  const ports = new Map<number, ListenerState[]>();
  for (const s of listeners) if (s.programmed) ports.set(s.listener.port, [...(ports.get(s.listener.port) ?? []), s]);

  const rules = new Map<number, PortRules>();
  const backends: BackendTarget[] = [];
  let unresolved = false;
  const attached = new Map<string, Set<string>>();
  const routes: RouteOnGateway[] = [];
  const l7s = new Map<string, L7Route>();

  routesOf(ctx, gw).forEach((route, rank) => {
    const attachments = attachRoute(ctx, gw, listeners, route);
    const failures: RefFailure[] = [];
    /** Parent index → why the route lost every listener of it to an older route. */
    const lost = new Map<number, string>();
    const used = new Set<number>();

    const l7 = L7_KINDS.has(route.kind) ? l7Route(ctx, route) : undefined;
    if (l7) {
      l7s.set(keyOfObject(route), l7);
      failures.push(...l7.failures);
    }
    const kind = route.kind;
    let l4Backends: ReturnType<typeof weightedBackends> | undefined;
    let passthrough: ReturnType<typeof passthroughBackend> | undefined;
    if (kind === GatewayKinds.TCPRoute || kind === GatewayKinds.UDPRoute) {
      l4Backends = weightedBackends(ctx, route as L4Route);
      failures.push(...l4Backends.failures);
    } else if (kind === GatewayKinds.TLSRoute) {
      passthrough = passthroughBackend(ctx, route as L4Route);
      failures.push(...passthrough.failures);
    }

    attachments.forEach((a, parentIndex) => {
      for (const { state, hostnames } of a.listeners) {
        const port = state.listener.port;
        let took = false;
        if (l7) {
          let pr = rules.get(port);
          if (!pr) rules.set(port, (pr = { kind: 'l7', hosts: new Map() }));
          if (pr.kind !== 'l7') continue;
          for (const host of hostnames) {
            let h = pr.hosts.get(host);
            if (!h) pr.hosts.set(host, (h = { grpc: l7.grpc, routes: [] }));
            if (h.grpc !== l7.grpc) {
              lost.set(parentIndex, `hostname ${host} on port ${port} already serves ${h.grpc ? 'GRPCRoutes' : 'HTTPRoutes'}`);
              continue;
            }
            if (!h.routes.some((r) => r.l7 === l7)) h.routes.push({ l7, rank });
            took = true;
          }
        } else if (l4Backends && (state.listener.protocol === 'TCP' || state.listener.protocol === 'UDP')) {
          if (rules.has(port)) lost.set(parentIndex, `listener ${state.listener.name} already forwards for an older route`);
          else {
            rules.set(port, { kind: 'weights', weights: l4Backends.weights });
            took = true;
          }
        } else if (l4Backends && state.listener.protocol === 'TLS') {
          let pr = rules.get(port);
          if (!pr) rules.set(port, (pr = { kind: 'terminate', hosts: new Map() }));
          if (pr.kind !== 'terminate') continue;
          for (const host of hostnames) {
            if (pr.hosts.has(host)) lost.set(parentIndex, `hostname ${host} on port ${port} already forwards for an older route`);
            else {
              pr.hosts.set(host, l4Backends.weights);
              took = true;
            }
          }
        } else if (passthrough) {
          let pr = rules.get(port);
          if (!pr) rules.set(port, (pr = { kind: 'passthrough', hosts: new Map() }));
          if (pr.kind !== 'passthrough') continue;
          for (const host of hostnames) {
            if (pr.hosts.has(host)) lost.set(parentIndex, `hostname ${host} on port ${port} already passes through for an older route`);
            else if (passthrough.target) {
              pr.hosts.set(host, passthrough.target);
              took = true;
            }
          }
          // A route whose backend does not resolve is still attached: its connections are closed.
          took = true;
        }
        if (took) {
          used.add(parentIndex);
          let set = attached.get(state.listener.name);
          if (!set) attached.set(state.listener.name, (set = new Set()));
          set.add(keyOfObject(route));
        }
      }
    });

    if (used.size > 0) {
      if (l7) {
        backends.push(...l7.backends);
        unresolved ||= l7.unresolved;
      }
      if (l4Backends) {
        backends.push(...l4Backends.backends);
        unresolved ||= l4Backends.unresolved;
      }
    }
    const parents = attachments.map((attachment, i) => {
      if (attachment.accepted.status === 'True' && !used.has(i)) {
        const why = lost.get(i) ?? 'it matches no listener of the Gateway';
        return { attachment, accepted: condition(route, 'Accepted', false, 'NotAllowedByListeners', `Gateway ${gwKey}: ${why}`) };
      }
      return { attachment, accepted: attachment.accepted };
    });
    for (const p of parents) if (p.accepted.status === 'False') report(ctx, route, `${p.accepted.reason}: ${p.accepted.message}`);
    const refs = resolvedRefs(route, failures);
    if (refs.status === 'False' && used.size > 0) report(ctx, route, `${refs.reason}: ${refs.message}`);
    routes.push({ route, parents, resolvedRefs: refs });
  });

  const attachedRoutes = new Map<string, number>();
  for (const s of listeners) attachedRoutes.set(s.listener.name, attached.get(s.listener.name)?.size ?? 0);
  return { gateway: gw, listeners, attachedRoutes, routes, ports, rules, backends, unresolved };
}

/** A host's matches in Gateway API precedence order: by match rank, then route rank, rule and match index. */
export function orderedEntries(host: L7Host): { entry: L7Entry; l7: L7Route }[] {
  const all = host.routes.flatMap(({ l7, rank }) => l7.entries.map((entry) => ({ entry, l7, rank })));
  all.sort((a, b) => {
    const ra = a.entry.rank;
    const rb = b.entry.rank;
    for (let i = 0; i < ra.length; i++) {
      const d = (ra[i] ?? 0) - (rb[i] ?? 0);
      if (d !== 0) return d;
    }
    return a.rank - b.rank || a.entry.ruleIndex - b.entry.ruleIndex || a.entry.matchIndex - b.entry.matchIndex;
  });
  return all.map(({ entry, l7 }) => ({ entry, l7 }));
}

/**
 * The host-level policies of a host and the per-route policies to push down
 * to matches. FSM keeps them on the host; when routes sharing the host carry
 * different ones (FSM then dropped the later route), each route's go to its
 * own matches instead, so a policy attached to one route never applies to
 * another.
 */
export function hostPolicies(ctx: GatewayContext, host: string, h: L7Host): { host: L7Policies; perRoute: Map<L7Route, L7Policies> } {
  const perRoute = new Map<L7Route, L7Policies>();
  for (const { l7 } of h.routes) perRoute.set(l7, hostnamePolicies(ctx, l7.route, host));
  const hostLevel: L7Policies = {};
  const pushed = new Map<L7Route, L7Policies>();
  for (const field of ['RateLimit', 'AccessControlLists', 'Fault'] as const) {
    const values = [...perRoute.values()].map((p) => (p[field] === undefined ? '' : canonicalJson(p[field])));
    const same = values.every((v) => v === values[0]);
    for (const [l7, p] of perRoute) {
      if (p[field] === undefined) continue;
      if (same) (hostLevel as Record<string, unknown>)[field] = p[field];
      else {
        const target = pushed.get(l7) ?? {};
        (target as Record<string, unknown>)[field] = p[field];
        pushed.set(l7, target);
      }
    }
  }
  return { host: hostLevel, perRoute: pushed };
}

