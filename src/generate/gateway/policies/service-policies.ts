/**
 * Policies on Service ports (FSM's service enrichers): session stickiness,
 * load-balancing algorithm, circuit breaking, health checks, upstream TLS and
 * retries, as the fields of the config's `Services["ns/name:port"]`. Of the
 * accepted policies on a Service the oldest with an entry for the port wins.
 */
import { PolicyKinds, type CircuitBreakingConfig, type HealthCheckConfig, type LoadBalancerPolicySpec, type PortPolicySpec, type RetryConfig, type SessionStickyConfig, type UpstreamTLSConfig } from '../../../model/gateway-types.js';
import type { MeshObject } from '../../../model/types.js';
import { report, type GatewayContext } from '../context.js';
import { svcKey } from '../keys.js';
import { resolveSecretRef, secretText } from '../references.js';
import { circuitBreakingConfig, healthCheckConfig, retryConfig, sessionStickyConfig } from './policy-configs.js';
import { policiesFor, type PolicyObject } from './policy-index.js';

type PortPolicy<C> = PolicyObject & MeshObject<PortPolicySpec<C> & PolicyObject['spec']>;

function firstFor<C, R>(ctx: GatewayContext, kind: string, ns: string, name: string, port: number, compute: (entry: C | undefined, dflt: C | undefined, policy: PortPolicy<C>) => R | undefined): R | undefined {
  for (const p of policiesFor<PortPolicy<C>>(ctx, kind, svcKey(ns, name), ns)) {
    const entry = p.spec?.ports?.find((e) => e.port === port);
    if (!entry) continue;
    const value = compute(entry.config, p.spec?.config, p);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The policy fields of `Services["<ns>/<name>:<port>"]`. */
export function servicePolicies(ctx: GatewayContext, ns: string, name: string, port: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const sticky = firstFor<SessionStickyConfig, ReturnType<typeof sessionStickyConfig>>(ctx, PolicyKinds.SessionSticky, ns, name, port, (e, d) => sessionStickyConfig(e, d));
  if (sticky) Object.assign(out, sticky);

  for (const p of policiesFor<PolicyObject & MeshObject<LoadBalancerPolicySpec & PolicyObject['spec']>>(ctx, PolicyKinds.LoadBalancer, svcKey(ns, name), ns)) {
    const entry = p.spec?.ports?.find((e) => e.port === port);
    if (!entry) continue;
    out['Algorithm'] = entry.type ?? p.spec?.type ?? 'RoundRobinLoadBalancer';
    break;
  }

  const cb = firstFor<CircuitBreakingConfig, Record<string, unknown>>(ctx, PolicyKinds.CircuitBreaking, ns, name, port, circuitBreakingConfig);
  if (cb) out['CircuitBreaking'] = cb;
  const hc = firstFor<HealthCheckConfig, Record<string, unknown>>(ctx, PolicyKinds.HealthCheck, ns, name, port, healthCheckConfig);
  if (hc) out['HealthCheck'] = hc;

  const tls = firstFor<UpstreamTLSConfig, Record<string, unknown>>(ctx, PolicyKinds.UpstreamTLS, ns, name, port, (e, d, policy) => {
    const c = e ?? d;
    if (!c) return undefined;
    const r = resolveSecretRef(ctx, policy, c.certificateRef, 'InvalidCertificateRef');
    if (!r.ok) {
      report(ctx, policy, `certificateRef: ${r.failure.message}; Service ${ns}/${name} port ${port} is reached without TLS`, { field: 'spec.ports' });
      return undefined;
    }
    const chain = secretText(r.value, 'tls.crt');
    const key = secretText(r.value, 'tls.key');
    return {
      UpstreamCert: { IssuingCA: secretText(r.value, 'ca.crt') ?? '', ...(chain ? { CertChain: chain } : {}), ...(key ? { PrivateKey: key } : {}) },
      MTLS: c.mTLS ?? (e ? d?.mTLS : undefined) ?? false,
    };
  });
  if (tls) Object.assign(out, tls);

  const retry = firstFor<RetryConfig, ReturnType<typeof retryConfig>>(ctx, PolicyKinds.Retry, ns, name, port, retryConfig);
  if (retry) out['Retry'] = retry;
  return out;
}
