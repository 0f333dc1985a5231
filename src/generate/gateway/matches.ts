/**
 * Route matches with the API's defaults applied (the API server applies them
 * on admission; files get them here): a match without a path is PathPrefix
 * "/", header and query matches are Exact, a gRPC method match is Exact, and
 * a rule without matches has one match-everything match. Policies that name a
 * match (`http[].match`) are compared with the route's after both are
 * normalized, so a policy written without defaults still finds its match.
 */
import type { GRPCRouteMatch, HTTPRouteMatch, ValueMatch } from '../../model/gateway-types.js';
import { canonicalJson } from '../../shared/canonical-json.js';

const values = (list: readonly ValueMatch[] | undefined): ValueMatch[] | undefined =>
  list && list.length > 0 ? list.map((v) => ({ type: v.type ?? 'Exact', name: v.name, value: v.value })) : undefined;

export function normalizeHttpMatch(m: HTTPRouteMatch): HTTPRouteMatch {
  const headers = values(m.headers);
  const queryParams = values(m.queryParams);
  return {
    path: { type: m.path?.type ?? 'PathPrefix', value: m.path?.value ?? '/' },
    ...(headers ? { headers } : {}),
    ...(queryParams ? { queryParams } : {}),
    ...(m.method ? { method: m.method } : {}),
  };
}

export function normalizeGrpcMatch(m: GRPCRouteMatch): GRPCRouteMatch {
  const headers = values(m.headers);
  return {
    ...(m.method ? { method: { type: m.method.type ?? 'Exact', ...(m.method.service ? { service: m.method.service } : {}), ...(m.method.method ? { method: m.method.method } : {}) } } : {}),
    ...(headers ? { headers } : {}),
  };
}

/** The matches of a rule, normalized; a rule without matches matches everything. */
export function ruleHttpMatches(matches: readonly HTTPRouteMatch[] | undefined): HTTPRouteMatch[] {
  return matches && matches.length > 0 ? matches.map(normalizeHttpMatch) : [normalizeHttpMatch({})];
}

export function ruleGrpcMatches(matches: readonly GRPCRouteMatch[] | undefined): GRPCRouteMatch[] {
  return matches && matches.length > 0 ? matches.map(normalizeGrpcMatch) : [{}];
}

/** A key equal for two matches exactly when they are the same match. */
export const matchKey = (m: HTTPRouteMatch | GRPCRouteMatch): string => canonicalJson(m);
