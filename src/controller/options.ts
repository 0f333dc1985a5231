/**
 * fsm-controller's flags and their environment variables. Parsing collects
 * every problem; a bad flag is reported with error code E1000 (FSM's "invalid
 * command-line argument"), naming the flag, or the environment variable when
 * the value came from one.
 */
import { DEFAULT_TRUST_DOMAIN } from '../certificate/identity.js';
import type { LogFormat, LogLevel } from '../shared/logger.js';
import type { SourceSpec } from '../sources/scheme.js';
import { defaultSourceRegistry } from '../sources/schemes.js';
import type { FileLimits } from '../shared/file-limits.js';
import { DEFAULT_FILE_LIMITS } from '../shared/file-limits.js';
import { tryParseGoDuration } from '../shared/duration.js';
import type { InjectorSettings } from './kubernetes-onboarding.js';

/** Settings that apply only with `--source kubernetes`. */
export interface KubernetesSettings {
  /** The sidecar injector; undefined with `--injector=false`. */
  readonly injector: InjectorSettings | undefined;
  /** `--plain-http`, or `--repo-tls=false`/`--xds-tls=false`: keys travel in the clear (warned at start). */
  readonly plainHttp: boolean;
}

export interface ControllerOptions {
  sources: SourceSpec[];
  meshName: string;
  fsmNamespace: string;
  trustDomain: string;
  xdsListen: string;
  repoListen: string;
  adminListen: string;
  stateDir: string | undefined;
  pipyCodebase: string | undefined;
  /** Base scripts of gateway codebases (FSM's gateway scripts); undefined: the built-in gateway base. */
  gatewayCodebase: string | undefined;
  /** Quiet window of the change coalescer (ms). */
  quietMs: number;
  /** Longest a change waits before regeneration (ms). */
  maxDelayMs: number;
  /** Effective: the flag, else on with `--source kubernetes` (unless `--plain-http`). */
  repoTls: boolean;
  xdsTls: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Serve the /debug/* routes on the admin port (off by default; /health/* and /metrics always are). */
  debug: boolean;
  /** Create a new root CA even though certificates issued by the missing one remain in the state dir. */
  allowNewRoot: boolean;
  /** Bounds on each manifest file of `file:` sources. */
  manifestLimits: FileLimits;
  /** Undefined without `--source kubernetes`. */
  kubernetes: KubernetesSettings | undefined;
}

interface FlagSpec {
  flag: string;
  env: string;
  help: string;
  kind: 'string' | 'int' | 'bool' | 'list';
  def?: string;
}

export const FLAGS: readonly FlagSpec[] = [
  { flag: 'source', env: 'FSM_SOURCE', kind: 'list', help: 'where mesh objects come from: kubernetes[:secrets] | file:DIR | consul:URL | eureka:URL | nacos:URL | zookeeper:HOST:PORT[/root] | etcd:URL[/prefix], registries with ?options (docs/registries.md) (repeatable; env: comma-separated)' },
  { flag: 'mesh-name', env: 'FSM_MESH_NAME', kind: 'string', def: 'fsm', help: 'mesh name (an RFC 1123 DNS label); namespaces labelled flomesh.io/monitored-by=<name> are observed' },
  { flag: 'fsm-namespace', env: 'FSM_NAMESPACE', kind: 'string', def: 'fsm-system', help: 'control-plane namespace (holds fsm-mesh-config and fsm-ca-bundle)' },
  { flag: 'trust-domain', env: 'FSM_TRUST_DOMAIN', kind: 'string', def: DEFAULT_TRUST_DOMAIN, help: 'trust domain of workload certificates' },
  { flag: 'xds-listen', env: 'FSM_XDS_LISTEN', kind: 'string', def: '0.0.0.0:15128', help: 'xDS (gRPC ADS) listen address HOST:PORT' },
  { flag: 'repo-listen', env: 'FSM_REPO_LISTEN', kind: 'string', def: '0.0.0.0:6060', help: 'Pipy repo listen address HOST:PORT' },
  { flag: 'admin-listen', env: 'FSM_ADMIN_LISTEN', kind: 'string', def: '0.0.0.0:9091', help: 'health and metrics (and /debug/* with --debug) listen address HOST:PORT' },
  { flag: 'state-dir', env: 'FSM_STATE_DIR', kind: 'string', help: 'directory for the CA and issued certificates when not using Kubernetes (default: a per-user directory)' },
  { flag: 'pipy-codebase', env: 'FSM_PIPY_CODEBASE', kind: 'string', help: 'directory with the base Pipy sidecar scripts (default: the built-in base)' },
  { flag: 'gateway-codebase', env: 'FSM_GATEWAY_CODEBASE', kind: 'string', help: 'directory with the base Pipy gateway scripts, e.g. FSM\'s (default: the built-in gateway base)' },
  { flag: 'quiet-ms', env: 'FSM_QUIET_MS', kind: 'int', def: '100', help: 'coalescing quiet window in milliseconds' },
  { flag: 'max-delay-ms', env: 'FSM_MAX_DELAY_MS', kind: 'int', def: '1000', help: 'longest a change waits before regeneration, in milliseconds' },
  { flag: 'repo-tls', env: 'FSM_REPO_TLS', kind: 'bool', help: 'serve the Pipy repo over HTTPS with client certificates from the mesh CA (default: on with --source kubernetes)' },
  { flag: 'xds-tls', env: 'FSM_XDS_TLS', kind: 'bool', help: 'require client certificates from the mesh CA on the xDS port (default: on with --source kubernetes)' },
  { flag: 'log-level', env: 'FSM_LOG_LEVEL', kind: 'string', def: 'info', help: 'debug | info | warn | error; MeshConfig observability.fsmLogLevel, when set, overrides it live' },
  { flag: 'log-format', env: 'FSM_LOG_FORMAT', kind: 'string', def: 'json', help: 'json (one object per line, for machines) | text (for people)' },
  { flag: 'debug', env: 'FSM_DEBUG', kind: 'bool', help: 'serve /debug/* on the admin port (lists every proxy and codebase; off by default)' },
  { flag: 'allow-new-root', env: 'FSM_ALLOW_NEW_ROOT', kind: 'bool', help: 'create a new root CA although certificates from a missing one remain in --state-dir (breaks mesh-wide trust)' },
  { flag: 'file-max-bytes', env: 'FSM_FILE_MAX_BYTES', kind: 'int', def: String(DEFAULT_FILE_LIMITS.maxFileBytes), help: 'file: sources: larger manifest files are refused' },
  { flag: 'file-max-objects', env: 'FSM_FILE_MAX_OBJECTS', kind: 'int', def: String(DEFAULT_FILE_LIMITS.maxObjectsPerFile), help: 'file: sources: files with more objects are refused' },
  { flag: 'plain-http', env: 'FSM_PLAIN_HTTP', kind: 'bool', help: 'with --source kubernetes: serve the repo and xDS without TLS (anyone who reaches the ports can read every proxy\'s keys)' },
  { flag: 'injector', env: 'FSM_INJECTOR', kind: 'bool', help: 'the sidecar injector webhook (default: on with --source kubernetes)' },
  { flag: 'webhook-listen', env: 'FSM_WEBHOOK_LISTEN', kind: 'string', def: '0.0.0.0:9090', help: 'injector webhook (HTTPS) listen address HOST:PORT; the Service port must be the same' },
  { flag: 'webhook-config-name', env: 'FSM_WEBHOOK_CONFIG_NAME', kind: 'string', help: 'MutatingWebhookConfiguration kept current (default fsm-controller-webhook-<mesh-name>)' },
  { flag: 'webhook-timeout', env: 'FSM_WEBHOOK_TIMEOUT', kind: 'int', def: '20', help: 'timeoutSeconds of the webhook (1-30)' },
  { flag: 'init-container-image', env: 'FSM_INIT_CONTAINER_IMAGE', kind: 'string', def: 'flomesh/fsm-sidecar-init:1.6.0', help: 'image of the injected fsm-init container (runs iptables-restore)' },
  { flag: 'healthcheck-image', env: 'FSM_HEALTHCHECK_IMAGE', kind: 'string', def: 'flomesh/fsm-healthcheck:1.6.0', help: 'image of the fsm-healthcheck container injected for tcpSocket probes' },
  { flag: 'image-pull-policy', env: 'FSM_IMAGE_PULL_POLICY', kind: 'string', def: 'IfNotPresent', help: 'pull policy of injected init and healthcheck containers: Always | IfNotPresent | Never' },
  { flag: 'bootstrap-secret-gc', env: 'FSM_BOOTSTRAP_SECRET_GC', kind: 'string', def: '5m', help: 'delete a bootstrap Secret whose pod has not appeared after this long (Go duration)' },
];

/** RFC 1123 DNS label: what FSM's documentation requires of a mesh name (and Kubernetes of a namespace). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Why `value` is not an RFC 1123 DNS label, or undefined when it is one. */
export function dnsLabelProblem(value: string): string | undefined {
  if (DNS_LABEL.test(value)) return undefined;
  return `"${value}" is not an RFC 1123 DNS label (at most 63 characters: lowercase letters, digits and '-', starting and ending with a letter or digit)`;
}

export class UsageError extends Error {
  readonly code = 'E1000';
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `E1000: ${p}`).join('\n'));
    this.name = 'UsageError';
  }
}

export function helpText(): string {
  const lines = ['Usage: fsm-controller [flags]', '       fsm-controller serve-xds | validate | config | error-info [flags]', '', 'Flags (each also settable by its environment variable):'];
  const rows: [string, string][] = FLAGS.map((f) => {
    const arg = f.kind === 'bool' ? '' : f.kind === 'int' ? ' N' : ' VALUE';
    return [`  --${f.flag}${arg}`, `${f.help}${f.def ? ` (default ${f.def})` : ''} [${f.env}]`];
  });
  rows.push(['  --help', 'print this help'], ['  --version', 'print the version']);
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  for (const [flag, help] of rows) lines.push(flag.padEnd(width) + help);
  return lines.join('\n') + '\n';
}

/**
 * Parses argv (and env). Returns 'help' when --help was given. Throws
 * UsageError listing every problem.
 */
export function parseControllerOptions(argv: readonly string[], env: Record<string, string | undefined> = process.env): ControllerOptions | 'help' {
  const values = new Map<string, string[]>();
  /** Flags whose value came from their environment variable (errors name the variable). */
  const fromEnv = new Set<string>();
  const problems: string[] = [];
  for (const f of FLAGS) {
    const v = env[f.env];
    if (v === undefined || v === '') continue;
    values.set(f.flag, f.kind === 'list' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [v]);
    fromEnv.add(f.flag);
  }
  const fromArgs = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return 'help';
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument "${arg}"`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = FLAGS.find((f) => f.flag === name);
    if (!spec) {
      problems.push(`unknown flag --${name}`);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (spec.kind === 'bool') value = 'true';
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) {
        problems.push(`flag --${name} needs a value`);
        continue;
      }
      i++;
    }
    const list = fromArgs.get(name) ?? [];
    list.push(value);
    fromArgs.set(name, list);
  }
  for (const [k, v] of fromArgs) {
    values.set(k, v);
    fromEnv.delete(k);
  }

  const specOf = (flag: string) => FLAGS.find((f) => f.flag === flag) as FlagSpec;
  /** How a problem names where the value came from. */
  const where = (flag: string) => (fromEnv.has(flag) ? `environment variable ${specOf(flag).env}` : `flag --${flag}`);
  const str = (flag: string): string | undefined => values.get(flag)?.at(-1) ?? specOf(flag).def;
  const int = (flag: string, min = 0): number => {
    const raw = str(flag) ?? '0';
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) problems.push(`${where(flag)}: "${raw}" is not ${min === 0 ? 'a non-negative integer' : `an integer of at least ${min}`}`);
    return n;
  };
  /** undefined when the flag is not given. */
  const optBool = (flag: string): boolean | undefined => {
    const raw = str(flag);
    if (raw === undefined) return undefined;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    problems.push(`${where(flag)}: "${raw}" is not a boolean (true/false)`);
    return false;
  };
  const bool = (flag: string): boolean => optBool(flag) ?? false;
  const addr = (flag: string): string => {
    const raw = str(flag) as string;
    const m = /^(?:\[[^\]]+\]|[^:]*):(\d{1,5})$/.exec(raw);
    if (!m || Number(m[1]) > 65535) problems.push(`${where(flag)}: "${raw}" is not HOST:PORT`);
    return raw;
  };
  const oneOf = <T extends string>(flag: string, allowed: readonly T[]): T => {
    const raw = str(flag) as string;
    if (!(allowed as readonly string[]).includes(raw)) problems.push(`${where(flag)}: "${raw}" is not one of ${allowed.join(', ')}`);
    return raw as T;
  };
  const label = (flag: string): string => {
    const raw = str(flag) as string;
    const problem = dnsLabelProblem(raw);
    if (problem) problems.push(`${where(flag)}: ${problem}`);
    return raw;
  };

  const registry = defaultSourceRegistry();
  const sources: SourceSpec[] = [];
  for (const s of values.get('source') ?? []) {
    try {
      sources.push(registry.parse(s));
    } catch (err) {
      problems.push(`${where('source')}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (!values.has('source')) problems.push(`at least one --source is required (${registry.usage()})`);

  const meshName = label('mesh-name');
  const onKubernetes = sources.some((s) => s.scheme === 'kubernetes');
  const plainHttpFlag = bool('plain-http');
  const repoTlsFlag = optBool('repo-tls');
  const xdsTlsFlag = optBool('xds-tls');
  if (plainHttpFlag && (repoTlsFlag || xdsTlsFlag)) problems.push('flag --plain-http contradicts --repo-tls/--xds-tls');
  const repoTls = repoTlsFlag ?? (onKubernetes && !plainHttpFlag);
  const xdsTls = xdsTlsFlag ?? (onKubernetes && !plainHttpFlag);
  let kubernetes: KubernetesSettings | undefined;
  if (onKubernetes) {
    const webhookListen = addr('webhook-listen');
    const timeout = int('webhook-timeout');
    if (timeout < 1 || timeout > 30) problems.push(`${where('webhook-timeout')}: ${timeout} is not between 1 and 30 seconds (the API server's limits)`);
    const pullPolicy = str('image-pull-policy') as string;
    if (!['Always', 'IfNotPresent', 'Never'].includes(pullPolicy)) problems.push(`${where('image-pull-policy')}: "${pullPolicy}" is not one of Always, IfNotPresent, Never`);
    const gcText = str('bootstrap-secret-gc') as string;
    const gcMs = tryParseGoDuration(gcText);
    if (gcMs === undefined || gcMs < 10_000) problems.push(`${where('bootstrap-secret-gc')}: "${gcText}" is not a duration of at least 10s`);
    kubernetes = {
      plainHttp: !repoTls || !xdsTls,
      injector:
        optBool('injector') === false
          ? undefined
          : {
              listen: webhookListen,
              servicePort: Number(webhookListen.slice(webhookListen.lastIndexOf(':') + 1)),
              webhookConfigName: str('webhook-config-name') ?? `fsm-controller-webhook-${meshName}`,
              timeoutSeconds: timeout,
              initImage: str('init-container-image') as string,
              healthcheckImage: str('healthcheck-image') as string,
              pullPolicy,
              bootstrapGraceMs: gcMs ?? 0,
            },
    };
  } else if (plainHttpFlag || optBool('injector')) {
    problems.push('flags --plain-http and --injector need --source kubernetes');
  }

  const opts: ControllerOptions = {
    sources,
    meshName,
    fsmNamespace: label('fsm-namespace'),
    trustDomain: str('trust-domain') as string,
    xdsListen: addr('xds-listen'),
    repoListen: addr('repo-listen'),
    adminListen: addr('admin-listen'),
    stateDir: str('state-dir'),
    pipyCodebase: str('pipy-codebase'),
    gatewayCodebase: str('gateway-codebase'),
    quietMs: int('quiet-ms'),
    maxDelayMs: int('max-delay-ms'),
    repoTls,
    xdsTls,
    logLevel: oneOf('log-level', ['debug', 'info', 'warn', 'error'] as const),
    logFormat: oneOf('log-format', ['json', 'text'] as const),
    debug: bool('debug'),
    allowNewRoot: bool('allow-new-root'),
    manifestLimits: { maxFileBytes: int('file-max-bytes', 1), maxObjectsPerFile: int('file-max-objects', 1) },
    kubernetes,
  };
  if (opts.maxDelayMs < opts.quietMs) problems.push(`${where('max-delay-ms')} (${opts.maxDelayMs}) must not be below ${fromEnv.has('quiet-ms') ? specOf('quiet-ms').env : '--quiet-ms'} (${opts.quietMs})`);
  if (problems.length) throw new UsageError(problems);
  return opts;
}
