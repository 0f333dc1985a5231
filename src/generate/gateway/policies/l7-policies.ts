/**
 * Policies on listeners and routes (FSM's port, hostname and route
 * enrichers): RateLimitPolicy and AccessControlPolicy on Gateway ports,
 * and RateLimit, AccessControl and FaultInjection policies on the hostnames
 * and matches of HTTPRoutes and GRPCRoutes. Of the accepted policies on a
 * target the oldest whose entry matches wins.
 */
import {
  PolicyKinds,
  type AccessControlPolicySpec,
  type FaultInjectionPolicySpec,
  type Gateway,
  type GRPCRouteMatch,
  type HTTPRouteMatch,
  type RateLimitPolicySpec,
} from '../../../model/gateway-types.js';
import { apiKindOf } from '../../../model/kinds/kind-list.js';
import type { MeshObject } from '../../../model/types.js';
import type { GatewayContext } from '../context.js';
import { hostnameWithin } from '../hostnames.js';
import { gatewayKey, routeKey } from '../keys.js';
import { matchKey, normalizeGrpcMatch, normalizeHttpMatch } from '../matches.js';
import { accessControlConfig, faultInjectionConfig, rateLimitConfig, type FgwAccessControlLists, type FgwFaultInjection, type FgwRateLimit } from './policy-configs.js';
import { policiesFor, type PolicyObject } from './policy-index.js';

type Policy<S> = PolicyObject & MeshObject<S & PolicyObject['spec']>;

/** The fields a port's config listener gets. */
export interface PortPolicies {
  BpsLimit?: number;
  AccessControlLists?: FgwAccessControlLists;
}

export function portPolicies(ctx: GatewayContext, gw: Gateway, port: number, protocol: string): PortPolicies {
  const ns = gw.metadata.namespace ?? '';
  const target = gatewayKey(ns, gw.metadata.name);
  const out: PortPolicies = {};
  if (protocol !== 'UDP') {
    for (const p of policiesFor<Policy<RateLimitPolicySpec>>(ctx, PolicyKinds.RateLimit, target, ns)) {
      const entry = p.spec?.ports?.find((e) => e.port === port);
      const bps = entry ? (entry.bps ?? p.spec?.bps) : undefined;
      if (bps !== undefined) {
        out.BpsLimit = bps;
        break;
      }
    }
  }
  for (const p of policiesFor<Policy<AccessControlPolicySpec>>(ctx, PolicyKinds.AccessControl, target, ns)) {
    const entry = p.spec?.ports?.find((e) => e.port === port);
    const acl = entry ? accessControlConfig(entry.config, p.spec?.config) : undefined;
    if (acl) {
      out.AccessControlLists = acl;
      break;
    }
  }
  return out;
}

/** The policy fields of an L7 host or match entry (`Fault` is FSM's JSON name for fault injection). */
export interface L7Policies {
  RateLimit?: FgwRateLimit;
  AccessControlLists?: FgwAccessControlLists;
  Fault?: FgwFaultInjection;
}

const hostMatches = (policyHost: string, routeHost: string): boolean => {
  const h = policyHost.toLowerCase();
  return h === routeHost || hostnameWithin(h, routeHost) || hostnameWithin(routeHost, h);
};

function routeTarget(route: MeshObject): { key: string; ns: string } {
  const ns = route.metadata.namespace ?? '';
  return { key: routeKey(apiKindOf(route.kind), ns, route.metadata.name), ns };
}

/** Policies a route's hostnames list (`spec.hostnames[]`), for one hostname the route serves. */
export function hostnamePolicies(ctx: GatewayContext, route: MeshObject, hostname: string): L7Policies {
  const { key, ns } = routeTarget(route);
  const out: L7Policies = {};
  for (const p of policiesFor<Policy<RateLimitPolicySpec>>(ctx, PolicyKinds.RateLimit, key, ns)) {
    const e = p.spec?.hostnames?.find((x) => hostMatches(x.hostname, hostname));
    const cfg = e ? rateLimitConfig(e.config, p.spec?.config) : undefined;
    if (cfg) {
      out.RateLimit = cfg;
      break;
    }
  }
  for (const p of policiesFor<Policy<AccessControlPolicySpec>>(ctx, PolicyKinds.AccessControl, key, ns)) {
    const e = p.spec?.hostnames?.find((x) => hostMatches(x.hostname, hostname));
    const cfg = e ? accessControlConfig(e.config, p.spec?.config) : undefined;
    if (cfg) {
      out.AccessControlLists = cfg;
      break;
    }
  }
  for (const p of policiesFor<Policy<FaultInjectionPolicySpec>>(ctx, PolicyKinds.FaultInjection, key, ns)) {
    const e = p.spec?.hostnames?.find((x) => hostMatches(x.hostname, hostname));
    const cfg = e ? faultInjectionConfig(e.config, p.spec?.config, p.spec?.unit) : undefined;
    if (cfg) {
      out.Fault = cfg;
      break;
    }
  }
  return out;
}

/** Policies that name one of a route's matches (`spec.http[]` / `spec.grpc[]`), for a normalized match. */
export function matchPolicies(ctx: GatewayContext, route: MeshObject, grpc: boolean, match: HTTPRouteMatch | GRPCRouteMatch): L7Policies {
  const { key, ns } = routeTarget(route);
  const want = matchKey(match);
  const list = grpc ? 'grpc' : 'http';
  const same = (m: HTTPRouteMatch | GRPCRouteMatch) => matchKey(grpc ? normalizeGrpcMatch(m as GRPCRouteMatch) : normalizeHttpMatch(m as HTTPRouteMatch)) === want;
  const out: L7Policies = {};
  for (const p of policiesFor<Policy<RateLimitPolicySpec>>(ctx, PolicyKinds.RateLimit, key, ns)) {
    const e = p.spec?.[list]?.find((x) => same(x.match));
    const cfg = e ? rateLimitConfig(e.config, p.spec?.config) : undefined;
    if (cfg) {
      out.RateLimit = cfg;
      break;
    }
  }
  for (const p of policiesFor<Policy<AccessControlPolicySpec>>(ctx, PolicyKinds.AccessControl, key, ns)) {
    const e = p.spec?.[list]?.find((x) => same(x.match));
    const cfg = e ? accessControlConfig(e.config, p.spec?.config) : undefined;
    if (cfg) {
      out.AccessControlLists = cfg;
      break;
    }
  }
  for (const p of policiesFor<Policy<FaultInjectionPolicySpec>>(ctx, PolicyKinds.FaultInjection, key, ns)) {
    const e = p.spec?.[list]?.find((x) => same(x.match));
    const cfg = e ? faultInjectionConfig(e.config, p.spec?.config, p.spec?.unit) : undefined;
    if (cfg) {
      out.Fault = cfg;
      break;
    }
  }
  return out;
}
