/**
 * Probe rewriting as FSM's injector does it (`pkg/injector/health_probes.go`
 * and the docs' §5.1), on the pod JSON of an admission request: an httpGet
 * probe moves to the sidecar (liveness 15901, readiness 15902, startup
 * 15903) on path `/fsm-healthcheck`, carrying the original port and path in
 * `Original-Http-Port`/`Original-Http-Path` (HTTPS: scheme HTTP and
 * `Original-Tcp-Port`); a tcpSocket probe becomes an httpGet on 15904 (the
 * fsm-healthcheck container, which bypasses the sidecar) with
 * `Original-Tcp-Port`. Other probes (exec, grpc) are left alone. The
 * sidecar config's `Spec.Probes` is generated from the rewritten probes, so
 * the originals travel in those headers (and in the bootstrap Secret).
 */
import { SidecarPorts as Ports } from './sidecar-ports.js';

export const HEALTHCHECK_PATH = '/fsm-healthcheck';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
const PROBE_PORT: Record<ProbeKind, number> = { liveness: Ports.liveness, readiness: Ports.readiness, startup: Ports.startup };
const FIELD: Record<ProbeKind, 'livenessProbe' | 'readinessProbe' | 'startupProbe'> = { liveness: 'livenessProbe', readiness: 'readinessProbe', startup: 'startupProbe' };

type Json = Record<string, unknown>;
interface HttpGet {
  path?: string;
  port?: number | string;
  scheme?: string;
  httpHeaders?: { name: string; value: string }[];
  [k: string]: unknown;
}
export interface ContainerJson {
  name?: string;
  ports?: { name?: string; containerPort?: number }[];
  livenessProbe?: Json;
  readinessProbe?: Json;
  startupProbe?: Json;
  [k: string]: unknown;
}

/** What FSM keeps of an original probe (`models.HealthProbe`; Timeout in nanoseconds as Go marshals a Duration). */
export interface OriginalProbe {
  Path: string;
  Port: number;
  Timeout: number;
  IsHTTP: boolean;
  IsTCPSocket: boolean;
}
export interface OriginalProbes {
  Liveness: OriginalProbe | null;
  Readiness: OriginalProbe | null;
  Startup: OriginalProbe | null;
}

/** A named or numbered port; 0 when a name matches no container port (FSM logs and goes on). */
function resolvePort(port: number | string | undefined, container: ContainerJson): number {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name !== undefined && p.name !== '' && p.name === port)?.containerPort ?? 0;
}

/** A probe already moved to the sidecar (a copied pod, or FSM's injector ran first): never rewritten twice. */
export function isRewritten(probe: Json): boolean {
  const httpGet = probe['httpGet'] as HttpGet | undefined;
  const port = httpGet?.port;
  return (
    httpGet?.path === HEALTHCHECK_PATH &&
    (port === Ports.liveness || port === Ports.readiness || port === Ports.startup || port === Ports.healthcheck) &&
    (httpGet.httpHeaders ?? []).some((h) => h.name === 'Original-Http-Port' || h.name === 'Original-Tcp-Port')
  );
}

/** The rewritten probe and what it was; undefined for probes FSM leaves alone. */
export function rewriteProbe(probe: Json, kind: ProbeKind, container: ContainerJson): { probe: Json; original: OriginalProbe } | undefined {
  if (isRewritten(probe)) return undefined;
  const timeout = typeof probe['timeoutSeconds'] === 'number' ? probe['timeoutSeconds'] * 1e9 : 0;
  const httpGet = probe['httpGet'] as HttpGet | undefined;
  if (httpGet) {
    const isHttp = !httpGet.scheme || httpGet.scheme === 'HTTP';
    const port = resolvePort(httpGet.port, container);
    const original: OriginalProbe = { Path: httpGet.path ?? '', Port: port, Timeout: timeout, IsHTTP: isHttp, IsTCPSocket: httpGet.scheme === 'HTTPS' };
    const headers = [...(httpGet.httpHeaders ?? [])];
    if (original.IsTCPSocket) headers.push({ name: 'Original-Tcp-Port', value: String(port || 443) });
    else if (isHttp) headers.push({ name: 'Original-Http-Port', value: String(port || 80) }, { name: 'Original-Http-Path', value: original.Path });
    const next: HttpGet = { ...httpGet, path: HEALTHCHECK_PATH, port: PROBE_PORT[kind], httpHeaders: headers };
    if (original.IsTCPSocket) next.scheme = 'HTTP';
    return { probe: { ...probe, httpGet: next }, original };
  }
  const tcpSocket = probe['tcpSocket'] as { port?: number | string } | undefined;
  if (tcpSocket) {
    const port = resolvePort(tcpSocket.port, container);
    const { tcpSocket: _dropped, ...rest } = probe;
    return {
      probe: { ...rest, httpGet: { path: HEALTHCHECK_PATH, port: Ports.healthcheck, httpHeaders: [{ name: 'Original-Tcp-Port', value: String(port) }] } },
      original: { Path: '', Port: port, Timeout: timeout, IsHTTP: false, IsTCPSocket: true },
    };
  }
  return undefined;
}

export interface ProbeRewrite {
  readonly container: number;
  readonly field: 'livenessProbe' | 'readinessProbe' | 'startupProbe';
  readonly probe: Json;
}

/**
 * Every probe of every container to rewrite, and the originals (the last
 * container with a probe of a kind wins, as in FSM).
 */
export function rewriteHealthProbes(containers: readonly ContainerJson[]): { rewrites: ProbeRewrite[]; originals: OriginalProbes } {
  const originals: OriginalProbes = { Liveness: null, Readiness: null, Startup: null };
  const rewrites: ProbeRewrite[] = [];
  containers.forEach((c, i) => {
    for (const kind of ['liveness', 'readiness', 'startup'] as const) {
      const probe = c[FIELD[kind]];
      if (!probe) continue;
      const done = rewriteProbe(probe, kind, c);
      if (!done) continue;
      rewrites.push({ container: i, field: FIELD[kind], probe: done.probe });
      originals[kind === 'liveness' ? 'Liveness' : kind === 'readiness' ? 'Readiness' : 'Startup'] = done.original;
    }
  });
  return { rewrites, originals };
}

export const usesTcp = (o: OriginalProbes): boolean => [o.Liveness, o.Readiness, o.Startup].some((p) => p?.IsTCPSocket === true);
