/**
 * The `Spec` block (FSM's sidecar MeshConfigSpec). Its probes are the pod's
 * probes as FSM's injector rewrites them (src/model/health-probes.ts): pods
 * injected on Kubernetes carry them rewritten already; pods from files get
 * the same rewrite here. The sidecar's probes.js reads the Original-* headers.
 */
import { isRewritten, rewriteProbe as injectorRewrite, type ContainerJson, type ProbeKind } from '../../model/health-probes.js';
import type { Container, Probe } from '../../model/types.js';
import type { GenContext } from './context.js';
import type { MeshConfigSpecBlock } from './types.js';

/** The probe as Spec.Probes carries it: rewritten once, as the injector does; undefined for probes FSM leaves alone (exec, grpc). */
export function rewriteProbe(probe: Probe, kind: ProbeKind, c: Container): Probe | undefined {
  const json = probe as unknown as Record<string, unknown>;
  if (isRewritten(json)) return probe;
  return injectorRewrite(json, kind, c as unknown as ContainerJson)?.probe as Probe | undefined;
}

function probesOf(ctx: GenContext): MeshConfigSpecBlock['Probes'] {
  const out: { ReadinessProbes?: Probe[]; LivenessProbes?: Probe[]; StartupProbes?: Probe[] } = {};
  for (const c of ctx.proxy.pod.spec?.containers ?? []) {
    const pairs: [Probe | undefined, ProbeKind, 'LivenessProbes' | 'ReadinessProbes' | 'StartupProbes'][] = [
      [c.livenessProbe, 'liveness', 'LivenessProbes'],
      [c.readinessProbe, 'readiness', 'ReadinessProbes'],
      [c.startupProbe, 'startup', 'StartupProbes'],
    ];
    for (const [probe, kind, key] of pairs) {
      if (!probe) continue;
      const rewritten = rewriteProbe(probe, kind, c);
      if (rewritten) (out[key] ??= []).push(rewritten);
    }
  }
  return out;
}

export function buildSpec(ctx: GenContext): MeshConfigSpecBlock {
  const m = ctx.mesh;
  const clusterSet: Record<string, string> = {};
  for (const p of m.clusterSetProperties) clusterSet[p.name] = p.value;
  return {
    ServiceIdentity: ctx.proxy.identity,
    SidecarLogLevel: m.logLevel,
    SidecarTimeout: m.sidecarTimeout,
    Traffic: {
      EnableEgress: m.enableEgress,
      HTTP1PerRequestLoadBalancing: m.http1PerRequestLoadBalancing,
      HTTP2PerRequestLoadBalancing: m.http2PerRequestLoadBalancing,
    },
    FeatureFlags: {
      EnableSidecarActiveHealthChecks: m.flags.enableSidecarActiveHealthChecks,
      EnableAutoDefaultRoute: m.flags.enableAutoDefaultRoute,
    },
    Probes: probesOf(ctx),
    ...(Object.keys(clusterSet).length > 0 ? { ClusterSet: clusterSet } : {}),
    Observability: {
      ...(m.tracing ? { tracing: { ...m.tracing } } : {}),
      ...(m.remoteLogging ? { remoteLogging: { ...m.remoteLogging } } : {}),
    },
  };
}
