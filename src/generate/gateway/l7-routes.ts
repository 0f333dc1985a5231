/**
 * HTTPRoute and GRPCRoute rules as the matches of FSM's gateway config
 * (fgw.HTTPTrafficMatch / GRPCTrafficMatch), one per match of every rule,
 * with the rule's backends, filters and match-level policies.
 *
 * Backends (Gateway API semantics): a backendRef that does not resolve keeps
 * its weight under the `!unresolved` backend, which has no endpoints, so
 * that share of the requests fails (FSM's scripts answer 502 there, the
 * built-in base 500, the status the specification asks for); a rule whose
 * backends all have weight 0 or do not resolve, or that has none, sends
 * everything there (a RequestRedirect answers before any backend is used).
 *
 * Query parameter matches are written as `RequestParams` (fgw's field name)
 * and as `QueryParams` (the name FSM 1.3's http/route.js reads).
 */
import type { GRPCRouteRule, GRPCRouteMatch, HTTPRouteMatch, HTTPRouteRule, HTTPRouteFilter, AnyRoute, ValueMatch } from '../../model/gateway-types.js';
import { GatewayKinds } from '../../model/gateway-types.js';
import type { GatewayContext } from './context.js';
import { convertFilter } from './filters.js';
import { ruleGrpcMatches, ruleHttpMatches } from './matches.js';
import { withoutTrailingSlash } from './paths.js';
import { matchPolicies } from './policies/l7-policies.js';
import { backendName, resolveBackendRef, type BackendTarget, type RefFailure } from './references.js';

/** The backend name of the requests no valid backend can take. */
export const UNRESOLVED_BACKEND = '!unresolved';

/** One config match with what orders it among the matches of a host. */
export interface L7Entry {
  /** Precedence within the route's kind: compared element by element, smaller first. */
  readonly rank: readonly number[];
  readonly ruleIndex: number;
  readonly matchIndex: number;
  readonly value: Record<string, unknown>;
}

export interface L7Route {
  readonly route: AnyRoute;
  readonly grpc: boolean;
  readonly entries: readonly L7Entry[];
  /** Backends (and mirrors) the entries name, for the config's Services. */
  readonly backends: readonly BackendTarget[];
  readonly unresolved: boolean;
  /** References that did not resolve (the route's ResolvedRefs condition). */
  readonly failures: readonly RefFailure[];
}

function valueMatches(list: readonly ValueMatch[] | undefined, lowerNames: boolean): Record<string, Record<string, string>> | undefined {
  if (!list || list.length === 0) return undefined;
  const out: Record<string, Record<string, string>> = {};
  for (const m of list) {
    const type = m.type === 'RegularExpression' ? 'Regex' : 'Exact';
    (out[type] ??= {})[lowerNames ? m.name.toLowerCase() : m.name] = m.value;
  }
  return out;
}

interface RuleParts {
  readonly backendService: Record<string, { Weight: number; Filters?: Record<string, unknown>[] }>;
  readonly filters: Record<string, unknown>[];
}

function ruleParts(ctx: GatewayContext, route: AnyRoute, rule: HTTPRouteRule | GRPCRouteRule, acc: { backends: BackendTarget[]; failures: RefFailure[]; unresolved: boolean }): RuleParts {
  const filters: Record<string, unknown>[] = [];
  let broken = false;
  const convert = (list: readonly HTTPRouteFilter[] | undefined, into: Record<string, unknown>[]) => {
    for (const f of list ?? []) {
      const c = convertFilter(ctx, route, f);
      if (c.filter) into.push(c.filter);
      if (c.mirror) acc.backends.push(c.mirror);
      if (c.failure) {
        acc.failures.push(c.failure);
        // A filter that cannot be honoured must not be skipped: its requests fail instead.
        if (f.type !== 'RequestMirror') broken = true;
      }
    }
  };
  convert(rule.filters, filters);
  const backendService: RuleParts['backendService'] = {};
  let unresolvedWeight = 0;
  let validWeight = 0;
  for (const ref of rule.backendRefs ?? []) {
    const weight = ref.weight ?? 1;
    const r = resolveBackendRef(ctx, route, ref);
    if (!r.ok) {
      acc.failures.push(r.failure);
      unresolvedWeight += weight;
      continue;
    }
    const backendFilters: Record<string, unknown>[] = [];
    convert(ref.filters, backendFilters);
    acc.backends.push(r.value);
    const name = backendName(r.value);
    const prev = backendService[name];
    backendService[name] = { Weight: (prev?.Weight ?? 0) + weight, ...(backendFilters.length > 0 ? { Filters: backendFilters } : prev?.Filters ? { Filters: prev.Filters } : {}) };
    validWeight += weight;
  }
  if (broken) {
    for (const k of Object.keys(backendService)) delete backendService[k];
    backendService[UNRESOLVED_BACKEND] = { Weight: 1 };
    acc.unresolved = true;
  } else if (unresolvedWeight > 0 || validWeight === 0) {
    // A redirecting rule without backends names `!unresolved` too: FSM's http/service.js answers 404 before
    // its filter/request-redirect.js runs when a match has no backend. The redirect answers every request first.
    backendService[UNRESOLVED_BACKEND] = { Weight: unresolvedWeight > 0 ? unresolvedWeight : 1 };
    acc.unresolved = true;
  }
  return { backendService, filters };
}

function httpEntry(m: HTTPRouteMatch, parts: RuleParts): { rank: number[]; value: Record<string, unknown> } {
  const path = m.path ?? { type: 'PathPrefix', value: '/' };
  const type = path.type === 'Exact' ? 'Exact' : path.type === 'RegularExpression' ? 'Regex' : 'Prefix';
  const value = type === 'Prefix' ? withoutTrailingSlash(path.value ?? '/') : (path.value ?? '/');
  const headers = valueMatches(m.headers, true);
  const params = valueMatches(m.queryParams, false);
  return {
    // Gateway API precedence: Exact path, the longest prefix, a method, most headers, most query params.
    rank: [type === 'Exact' ? 0 : type === 'Prefix' ? 1 : 2, -value.length, m.method ? 0 : 1, -(m.headers?.length ?? 0), -(m.queryParams?.length ?? 0)],
    value: {
      Path: { Type: type, Path: value },
      ...(headers ? { Headers: headers } : {}),
      ...(params ? { RequestParams: params, QueryParams: params } : {}),
      ...(m.method ? { Methods: [m.method] } : {}),
      BackendService: parts.backendService,
      ...(parts.filters.length > 0 ? { Filters: parts.filters } : {}),
    },
  };
}

function grpcEntry(m: GRPCRouteMatch, parts: RuleParts): { rank: number[]; value: Record<string, unknown> } {
  const headers = valueMatches(m.headers, true);
  const method = m.method;
  return {
    // GRPCRoute precedence: exact before regular expressions, the longest service, the longest method, most headers.
    rank: [method?.type === 'RegularExpression' ? 1 : 0, -(method?.service?.length ?? 0), -(method?.method?.length ?? 0), -(m.headers?.length ?? 0)],
    value: {
      ...(method
        ? { Method: { Type: method.type === 'RegularExpression' ? 'Regex' : 'Exact', ...(method.service ? { Service: method.service } : {}), ...(method.method ? { Method: method.method } : {}) } }
        : {}),
      ...(headers ? { Headers: headers } : {}),
      BackendService: parts.backendService,
      ...(parts.filters.length > 0 ? { Filters: parts.filters } : {}),
    },
  };
}

/** The config matches of an HTTPRoute or GRPCRoute. */
export function l7Route(ctx: GatewayContext, route: AnyRoute): L7Route {
  const grpc = route.kind === GatewayKinds.GRPCRoute;
  const acc = { backends: [] as BackendTarget[], failures: [] as RefFailure[], unresolved: false };
  const entries: L7Entry[] = [];
  (route.spec?.rules ?? []).forEach((raw, ruleIndex) => {
    const rule = raw as HTTPRouteRule & GRPCRouteRule;
    const parts = ruleParts(ctx, route, rule, acc);
    const matches = grpc ? ruleGrpcMatches(rule.matches as GRPCRouteMatch[] | undefined) : ruleHttpMatches(rule.matches as HTTPRouteMatch[] | undefined);
    matches.forEach((m, matchIndex) => {
      const e = grpc ? grpcEntry(m as GRPCRouteMatch, parts) : httpEntry(m as HTTPRouteMatch, parts);
      const policies = matchPolicies(ctx, route, grpc, m);
      entries.push({ rank: e.rank, ruleIndex, matchIndex, value: { ...e.value, ...policies } });
    });
  });
  return { route, grpc, entries, backends: acc.backends, unresolved: acc.unresolved, failures: acc.failures };
}
