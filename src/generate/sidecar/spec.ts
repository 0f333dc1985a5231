/**
 * The `Spec` block (FSM's sidecar MeshConfigSpec) and the probe rewrite the
 * FSM injector applies (pkg/injector/health_probes.go): an HTTP probe moves
 * to 15901/15902/15903 (liveness/readiness/startup) with path
 * `/fsm-healthcheck` and the original port and path in `Original-Http-Port` /
 * `Original-Http-Path` headers; an HTTPS probe becomes HTTP with an
 * `Original-Tcp-Port` header; a TCP probe becomes an HTTP GET on 15904 with
 * `Original-Tcp-Port`. The sidecar's probes.js reads these.
 */
import type { Container, Probe } from '../../model/types.js';
import type { GenContext } from './context.js';
import type { MeshConfigSpecBlock } from './types.js';

const HEALTHCHECK_PATH = '/fsm-healthcheck';
const HEALTHCHECK_PORT = 15904;
const PROBE_PORTS = { liveness: 15901, readiness: 15902, startup: 15903 } as const;

function containerPort(port: number | string, c: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort ?? 0;
}

/** Whether a probe already targets the sidecar's probe listeners, as FSM's injector leaves it. */
function alreadyRewritten(probe: Probe, c: Container): boolean {
  const port = probe.httpGet ? containerPort(probe.httpGet.port, c) : undefined;
  return port === HEALTHCHECK_PORT || Object.values(PROBE_PORTS).some((p) => p === port);
}

/**
 * The probe as the injector rewrites it (a fresh object; the model's pod is
 * not touched). A probe the injector has already rewritten (on a cluster,
 * pods arrive injected) is kept as it is, as FSM copies the pod's probes.
 */
export function rewriteProbe(probe: Probe, kind: keyof typeof PROBE_PORTS, c: Container): Probe | undefined {
  if (alreadyRewritten(probe, c)) return probe;
  const { httpGet, tcpSocket, ...rest } = probe;
  if (httpGet) {
    const scheme = httpGet.scheme ?? '';
    const original = containerPort(httpGet.port, c);
    const headers = [...(httpGet.httpHeaders ?? [])];
    if (scheme === '' || scheme === 'HTTP') {
      headers.push({ name: 'Original-Http-Port', value: String(original || 80) }, { name: 'Original-Http-Path', value: httpGet.path ?? '' });
    } else {
      headers.push({ name: 'Original-Tcp-Port', value: String(original || 443) });
    }
    return { ...rest, httpGet: { path: HEALTHCHECK_PATH, port: PROBE_PORTS[kind], scheme: 'HTTP', httpHeaders: headers } };
  }
  if (tcpSocket) {
    const original = containerPort(tcpSocket.port, c);
    return { ...rest, httpGet: { path: HEALTHCHECK_PATH, port: HEALTHCHECK_PORT, httpHeaders: [{ name: 'Original-Tcp-Port', value: String(original) }] } };
  }
  return undefined;
}

function probesOf(ctx: GenContext): MeshConfigSpecBlock['Probes'] {
  const out: { ReadinessProbes?: Probe[]; LivenessProbes?: Probe[]; StartupProbes?: Probe[] } = {};
  for (const c of ctx.proxy.pod.spec?.containers ?? []) {
    const pairs: [Probe | undefined, keyof typeof PROBE_PORTS, 'LivenessProbes' | 'ReadinessProbes' | 'StartupProbes'][] = [
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
