/**
 * A policy entry's config merged with the policy's default config and FSM's
 * defaults (pkg/gateway/policy/utils/<policy>: Compute*Config), as the
 * fields of FSM's gateway config (pkg/gateway/fgw/types.go) that its scripts
 * read. Each function returns undefined when neither the entry nor the
 * default configures anything.
 */
import type {
  AccessControlConfig,
  CircuitBreakingConfig,
  FaultInjectionConfig,
  HealthCheckConfig,
  L7RateLimit,
  RetryConfig,
  SessionStickyConfig,
} from '../../../model/gateway-types.js';

/** fgw.RateLimit */
export interface FgwRateLimit {
  Mode: string;
  Backlog: number;
  Requests: number;
  Burst: number;
  StatTimeWindow: number;
  ResponseStatusCode: number;
  ResponseHeadersToAdd?: Record<string, string>;
}

export function rateLimitConfig(entry: L7RateLimit | undefined, dflt: L7RateLimit | undefined): FgwRateLimit | undefined {
  const c = entry ?? dflt;
  if (!c) return undefined;
  const d = entry ? dflt : undefined;
  const headers = c.responseHeadersToAdd && c.responseHeadersToAdd.length > 0 ? c.responseHeadersToAdd : d?.responseHeadersToAdd;
  return {
    Mode: c.mode ?? d?.mode ?? 'Local',
    Backlog: c.backlog ?? d?.backlog ?? 10,
    Requests: c.requests,
    Burst: c.burst ?? d?.burst ?? c.requests,
    StatTimeWindow: c.statTimeWindow,
    ResponseStatusCode: c.responseStatusCode ?? d?.responseStatusCode ?? 429,
    ...(headers && headers.length > 0 ? { ResponseHeadersToAdd: Object.fromEntries(headers.map((h) => [h.name, h.value])) } : {}),
  };
}

/** fgw.AccessControlLists (the allow and deny lists come from the entry alone, as in FSM). */
export interface FgwAccessControlLists {
  Blacklist?: string[];
  Whitelist?: string[];
  EnableXFF: boolean;
  Status: number;
  Message: string;
}

export function accessControlConfig(entry: AccessControlConfig | undefined, dflt: AccessControlConfig | undefined): FgwAccessControlLists | undefined {
  const c = entry ?? dflt;
  if (!c) return undefined;
  const d = entry ? dflt : undefined;
  return {
    ...(c.blacklist && c.blacklist.length > 0 ? { Blacklist: c.blacklist } : {}),
    ...(c.whitelist && c.whitelist.length > 0 ? { Whitelist: c.whitelist } : {}),
    EnableXFF: c.enableXFF ?? d?.enableXFF ?? false,
    Status: c.statusCode ?? d?.statusCode ?? 403,
    Message: c.message ?? d?.message ?? '',
  };
}

/** fgw.FaultInjection (its JSON name is `Fault`). */
export interface FgwFaultInjection {
  Delay?: { Percent: number; Fixed?: number; Range?: string; Unit?: string };
  Abort?: { Percent: number; Status?: number; Message?: string };
}

export function faultInjectionConfig(entry: FaultInjectionConfig | undefined, dflt: FaultInjectionConfig | undefined, policyUnit: string | undefined): FgwFaultInjection | undefined {
  if (!entry && !dflt) return undefined;
  const c: FaultInjectionConfig = structuredClone(entry ?? dflt) as FaultInjectionConfig;
  const d = entry ? dflt : undefined;
  if (d) {
    // FSM takes the default's delay or abort only when the entry has neither and the default has just that one.
    if (!c.delay && !c.abort && d.delay && !d.abort) c.delay = structuredClone(d.delay);
    if (!c.abort && !c.delay && d.abort && !d.delay) c.abort = structuredClone(d.abort);
    if (c.delay && c.delay.fixed === undefined && c.delay.range === undefined && !d.abort && d.delay) {
      if (d.delay.fixed !== undefined && d.delay.range === undefined) c.delay.fixed = d.delay.fixed;
      if (d.delay.range !== undefined && d.delay.fixed === undefined) c.delay.range = d.delay.range;
    }
    if (c.abort && !d.delay && d.abort) {
      if (c.abort.statusCode === undefined && d.abort.statusCode !== undefined) c.abort.statusCode = d.abort.statusCode;
      if (c.abort.message === undefined && d.abort.message !== undefined) c.abort.message = d.abort.message;
    }
  }
  const out: FgwFaultInjection = {};
  if (c.delay) {
    const unit = c.delay.unit ?? d?.delay?.unit ?? policyUnit ?? 'ms';
    out.Delay = {
      Percent: c.delay.percent ?? 0,
      ...(c.delay.fixed !== undefined ? { Fixed: c.delay.fixed } : {}),
      ...(c.delay.range ? { Range: `${c.delay.range.min}-${c.delay.range.max}` } : {}),
      Unit: unit,
    };
  }
  if (c.abort) {
    out.Abort = {
      Percent: c.abort.percent ?? 0,
      ...(c.abort.statusCode !== undefined ? { Status: c.abort.statusCode } : {}),
      ...(c.abort.message !== undefined ? { Message: c.abort.message } : {}),
    };
  }
  return out;
}

export function sessionStickyConfig(entry: SessionStickyConfig | undefined, dflt: SessionStickyConfig | undefined): { StickyCookieName: string; StickyCookieExpires: number } | undefined {
  const c = entry ?? dflt;
  if (!c) return undefined;
  const d = entry ? dflt : undefined;
  return { StickyCookieName: c.cookieName ?? d?.cookieName ?? '_srv_id', StickyCookieExpires: c.expires ?? d?.expires ?? 3600 };
}

/** fgw.CircuitBreaking: the entry, with thresholds it leaves out taken from the default. */
export function circuitBreakingConfig(entry: CircuitBreakingConfig | undefined, dflt: CircuitBreakingConfig | undefined): Record<string, unknown> | undefined {
  const c = entry ?? dflt;
  if (!c) return undefined;
  const d = entry ? dflt : undefined;
  const opt = <K extends keyof CircuitBreakingConfig>(k: K) => c[k] ?? d?.[k];
  const entries: [string, unknown][] = [
    ['MinRequestAmount', c.minRequestAmount],
    ['StatTimeWindow', c.statTimeWindow],
    ['SlowTimeThreshold', opt('slowTimeThreshold')],
    ['SlowAmountThreshold', opt('slowAmountThreshold')],
    ['SlowRatioThreshold', opt('slowRatioThreshold')],
    ['ErrorAmountThreshold', opt('errorAmountThreshold')],
    ['ErrorRatioThreshold', opt('errorRatioThreshold')],
    ['DegradedTimeWindow', c.degradedTimeWindow],
    ['DegradedStatusCode', c.degradedStatusCode],
    ['DegradedResponseContent', opt('degradedResponseContent')],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

/** fgw.HealthCheck: a path without matches expects status 200, as in FSM. */
export function healthCheckConfig(entry: HealthCheckConfig | undefined, dflt: HealthCheckConfig | undefined): Record<string, unknown> | undefined {
  const c = entry ?? dflt;
  if (!c) return undefined;
  const d = entry ? dflt : undefined;
  const path = c.path ?? d?.path;
  let matches = c.matches && c.matches.length > 0 ? c.matches : d?.matches;
  if (path !== undefined && (!matches || matches.length === 0) && !d) matches = [{ statusCodes: [200] }];
  const failTimeout = c.failTimeout ?? d?.failTimeout;
  return {
    Interval: c.interval,
    MaxFails: c.maxFails,
    ...(failTimeout !== undefined ? { FailTimeout: failTimeout } : {}),
    ...(path !== undefined ? { Path: path } : {}),
    ...(matches && matches.length > 0
      ? {
          Matches: matches.map((m) => ({
            ...(m.statusCodes && m.statusCodes.length > 0 ? { StatusCodes: m.statusCodes } : {}),
            ...(m.body !== undefined ? { Body: m.body } : {}),
            ...(m.headers && m.headers.length > 0 ? { Headers: Object.fromEntries(m.headers.map((h) => [h.name, h.value])) } : {}),
          })),
        }
      : {}),
  };
}

/** fgw.Retry: `retryOn` joined with commas. */
export function retryConfig(entry: RetryConfig | undefined, dflt: RetryConfig | undefined): { RetryOn: string; NumRetries: number; BackoffBaseInterval: number } | undefined {
  const c = entry ?? dflt;
  if (!c) return undefined;
  const d = entry ? dflt : undefined;
  return { RetryOn: c.retryOn.join(','), NumRetries: c.numRetries ?? d?.numRetries ?? 3, BackoffBaseInterval: c.backoffBaseInterval ?? d?.backoffBaseInterval ?? 1 };
}
