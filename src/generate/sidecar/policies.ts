/**
 * Per-service policies folded into clusters and traffic matches:
 * TrafficSplit (weighted backends of an apex service), UpstreamTrafficSetting
 * (connection settings, circuit breaking, local rate limits) and Retry.
 * Durations are Go duration strings converted to seconds.
 */
import type { Retry, Service, TrafficSplit, UpstreamTrafficSetting, RateLimitUnitSpec } from '../../model/types.js';
import { tryParseGoDuration } from '../../shared/duration.js';
import type { GenContext } from './context.js';
import { memoize, report, sorted } from './context.js';
import { idKey, svcKey } from './dependency-keys.js';
import { ErrCodes } from './smi-access.js';
import type { ConnectionSettings, HTTPLocalRateLimit, RetryPolicy, TCPLocalRateLimit } from './types.js';

function seconds(d: string | undefined): number | undefined {
  if (d === undefined) return undefined;
  const ms = tryParseGoDuration(d);
  return ms === undefined ? undefined : ms / 1000;
}

/** The TrafficSplit whose apex is this service; two for one apex is a conflict (E2007) and the first by name wins. */
export function trafficSplitFor(ctx: GenContext, svc: Service): TrafficSplit | undefined {
  const ns = svc.metadata.namespace ?? '';
  return memoize(ctx, `split\u0000${ns}/${svc.metadata.name}`, (c) => computeTrafficSplit(c, svc, ns));
}

function computeTrafficSplit(ctx: GenContext, svc: Service, ns: string): TrafficSplit | undefined {
  ctx.deps.add(svcKey(ns, svc.metadata.name));
  const splits = sorted(
    ctx.view.list<TrafficSplit>('TrafficSplit', ns).filter((s) => (s.spec?.service ?? '').split('.')[0] === svc.metadata.name),
    (s) => s.metadata.name,
  );
  for (const extra of splits.slice(1)) {
    report(ctx, extra, `another TrafficSplit (${splits[0]?.metadata.name}) already splits apex service ${ns}/${svc.metadata.name}; ignored`, {
      code: ErrCodes.ConflictingTrafficSplits,
      field: 'spec.service',
    });
  }
  return splits[0];
}

/** Apex services of TrafficSplits that list this service as a backend. */
export function apexServicesOf(ctx: GenContext, svc: Service): readonly Service[] {
  const ns = svc.metadata.namespace ?? '';
  return memoize(ctx, `apexes\u0000${ns}/${svc.metadata.name}`, (c) => computeApexServices(c, svc, ns));
}

function computeApexServices(ctx: GenContext, svc: Service, ns: string): Service[] {
  const out: Service[] = [];
  for (const split of ctx.view.list<TrafficSplit>('TrafficSplit', ns)) {
    if (!(split.spec?.backends ?? []).some((b) => b.service === svc.metadata.name)) continue;
    const apexName = (split.spec?.service ?? '').split('.')[0] ?? '';
    ctx.deps.add(svcKey(ns, apexName));
    const apex = ctx.view.get<Service>('Service', ns, apexName);
    if (apex && apex.metadata.name !== svc.metadata.name) out.push(apex);
  }
  return sorted(out, (s) => s.metadata.name);
}

/** The UpstreamTrafficSetting whose `host` is this service (`svc.ns[.svc.<domain>]`, in the service's namespace). */
export function upstreamTrafficSettingFor(ctx: GenContext, svc: Service): UpstreamTrafficSetting | undefined {
  const ns = svc.metadata.namespace ?? '';
  return memoize(ctx, `uts\u0000${ns}/${svc.metadata.name}`, (c) => computeUpstreamTrafficSetting(c, svc, ns));
}

function computeUpstreamTrafficSetting(ctx: GenContext, svc: Service, ns: string): UpstreamTrafficSetting | undefined {
  ctx.deps.add(svcKey(ns, svc.metadata.name));
  const hits = ctx.view.list<UpstreamTrafficSetting>('UpstreamTrafficSetting', ns).filter((u) => {
    const parts = (u.spec?.host ?? '').split('.');
    return parts[0] === svc.metadata.name && (parts[1] === undefined || parts[1] === ns);
  });
  return sorted(hits, (u) => u.metadata.name)[0];
}

function windowOf(unit: string): number {
  return unit === 'hour' ? 3600 : unit === 'minute' ? 60 : 1;
}

export function httpLocalRateLimit(spec: RateLimitUnitSpec): HTTPLocalRateLimit {
  return {
    Requests: spec.requests,
    StatTimeWindow: windowOf(spec.unit),
    ...(spec.burst ? { Burst: spec.burst } : {}),
    // The CRD documents 429 as the default status; FSM leaves it to the script, we state it.
    ResponseStatusCode: spec.responseStatusCode ?? 429,
    ...(spec.responseHeadersToAdd && spec.responseHeadersToAdd.length > 0
      ? { ResponseHeadersToAdd: spec.responseHeadersToAdd.map((h) => ({ Name: h.name, Value: h.value })) }
      : {}),
  };
}

export function tcpLocalRateLimit(uts: UpstreamTrafficSetting | undefined): TCPLocalRateLimit | undefined {
  const tcp = uts?.spec?.rateLimit?.local?.tcp;
  if (!tcp) return undefined;
  return { Connections: tcp.connections, StatTimeWindow: windowOf(tcp.unit), ...(tcp.burst ? { Burst: tcp.burst } : {}) };
}

export function connectionSettings(uts: UpstreamTrafficSetting | undefined): ConnectionSettings | undefined {
  const cs = uts?.spec?.connectionSettings;
  if (!cs) return undefined;
  const out: ConnectionSettings = {};
  if (cs.tcp) {
    const t = seconds(cs.tcp.connectTimeout);
    out.tcp = {
      ...(cs.tcp.maxConnections !== undefined ? { MaxConnections: cs.tcp.maxConnections } : {}),
      ...(t !== undefined ? { ConnectTimeout: t } : {}),
    };
  }
  if (cs.http) {
    const h = cs.http;
    const cb = h.circuitBreaking;
    const slow = seconds(cb?.slowTimeThreshold);
    out.http = {
      ...(h.maxRequests !== undefined ? { MaxRequests: h.maxRequests } : {}),
      ...(h.maxRequestsPerConnection !== undefined ? { MaxRequestsPerConnection: h.maxRequestsPerConnection } : {}),
      ...(h.maxPendingRequests !== undefined ? { MaxPendingRequests: h.maxPendingRequests } : {}),
      ...(h.maxRetries !== undefined ? { MaxRetries: h.maxRetries } : {}),
      ...(cb
        ? {
            CircuitBreaking: {
              StatTimeWindow: seconds(cb.statTimeWindow) ?? null,
              MinRequestAmount: cb.minRequestAmount ?? 0,
              DegradedTimeWindow: seconds(cb.degradedTimeWindow) ?? null,
              ...(slow !== undefined ? { SlowTimeThreshold: slow } : {}),
              ...(cb.slowAmountThreshold !== undefined ? { SlowAmountThreshold: cb.slowAmountThreshold } : {}),
              ...(cb.slowRatioThreshold !== undefined ? { SlowRatioThreshold: cb.slowRatioThreshold } : {}),
              ...(cb.errorAmountThreshold !== undefined ? { ErrorAmountThreshold: cb.errorAmountThreshold } : {}),
              ...(cb.errorRatioThreshold !== undefined ? { ErrorRatioThreshold: cb.errorRatioThreshold } : {}),
              ...(cb.degradedStatusCode !== undefined ? { DegradedStatusCode: cb.degradedStatusCode } : {}),
              ...(cb.degradedResponseContent !== undefined ? { DegradedResponseContent: cb.degradedResponseContent } : {}),
            },
          }
        : {}),
    };
  }
  return out;
}

/**
 * The retry policy for calls from this proxy's identity to a service
 * (Retry `source` = the proxy's ServiceAccount, `destinations` naming the
 * service). Gated by featureFlags.enableRetryPolicy.
 */
export function retryPolicyFor(ctx: GenContext, svc: Service): RetryPolicy | undefined {
  if (!ctx.mesh.flags.enableRetryPolicy) return undefined;
  const [sa, ns] = [ctx.proxy.serviceAccount, ctx.proxy.namespace];
  ctx.deps.add(idKey(ctx.proxy.identity));
  const svcNs = svc.metadata.namespace ?? '';
  const hits = ctx.view.list<Retry>('Retry', ns).filter(
    (r) =>
      r.spec?.source?.kind === 'ServiceAccount' &&
      r.spec.source.name === sa &&
      (r.spec.source.namespace || ns) === ns &&
      (r.spec.destinations ?? []).some((d) => d.kind === 'Service' && d.name === svc.metadata.name && (d.namespace || svcNs) === svcNs),
  );
  const retry = sorted(hits, (r) => r.metadata.name)[0];
  if (!retry) return undefined;
  const p = retry.spec?.retryPolicy;
  return {
    RetryOn: p?.retryOn ?? '',
    PerTryTimeout: seconds(p?.perTryTimeout) ?? null,
    NumRetries: p?.numRetries ?? null,
    RetryBackoffBaseInterval: seconds(p?.retryBackoffBaseInterval) ?? null,
  };
}
