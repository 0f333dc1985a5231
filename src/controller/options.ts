/**
 * fsm-controller's flags and their environment variables. Parsing collects
 * every problem; a bad flag is reported with error code E1000 (FSM's "invalid
 * command-line argument").
 */
import type { SourceSpec } from '../sources/scheme.js';
import { defaultSourceRegistry } from '../sources/schemes.js';

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
  repoTls: boolean;
  xdsTls: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

interface FlagSpec {
  flag: string;
  env: string;
  help: string;
  kind: 'string' | 'int' | 'bool' | 'list';
  def?: string;
}

export const FLAGS: readonly FlagSpec[] = [
  { flag: 'source', env: 'FSM_SOURCE', kind: 'list', help: 'where mesh objects come from: kubernetes | file:DIR (repeatable; env: comma-separated)' },
  { flag: 'mesh-name', env: 'FSM_MESH_NAME', kind: 'string', def: 'fsm', help: 'mesh name; namespaces labelled flomesh.io/monitored-by=<name> are observed' },
  { flag: 'fsm-namespace', env: 'FSM_NAMESPACE', kind: 'string', def: 'fsm-system', help: 'control-plane namespace (holds fsm-mesh-config and fsm-ca-bundle)' },
  { flag: 'trust-domain', env: 'FSM_TRUST_DOMAIN', kind: 'string', def: 'cluster.local', help: 'trust domain of workload certificates' },
  { flag: 'xds-listen', env: 'FSM_XDS_LISTEN', kind: 'string', def: '0.0.0.0:15128', help: 'xDS (gRPC ADS) listen address HOST:PORT' },
  { flag: 'repo-listen', env: 'FSM_REPO_LISTEN', kind: 'string', def: '0.0.0.0:6060', help: 'Pipy repo listen address HOST:PORT' },
  { flag: 'admin-listen', env: 'FSM_ADMIN_LISTEN', kind: 'string', def: '0.0.0.0:9091', help: 'health, metrics and debug listen address HOST:PORT' },
  { flag: 'state-dir', env: 'FSM_STATE_DIR', kind: 'string', help: 'directory for the CA and issued certificates when not using Kubernetes (default: a per-user directory)' },
  { flag: 'pipy-codebase', env: 'FSM_PIPY_CODEBASE', kind: 'string', help: 'directory with the base Pipy sidecar scripts (default: the built-in base)' },
  { flag: 'gateway-codebase', env: 'FSM_GATEWAY_CODEBASE', kind: 'string', help: 'directory with the base Pipy gateway scripts, e.g. FSM\'s (default: the built-in gateway base)' },
  { flag: 'quiet-ms', env: 'FSM_QUIET_MS', kind: 'int', def: '100', help: 'coalescing quiet window in milliseconds' },
  { flag: 'max-delay-ms', env: 'FSM_MAX_DELAY_MS', kind: 'int', def: '1000', help: 'longest a change waits before regeneration, in milliseconds' },
  { flag: 'repo-tls', env: 'FSM_REPO_TLS', kind: 'bool', help: 'serve the Pipy repo over HTTPS with client certificates from the mesh CA' },
  { flag: 'xds-tls', env: 'FSM_XDS_TLS', kind: 'bool', help: 'require client certificates from the mesh CA on the xDS port' },
  { flag: 'log-level', env: 'FSM_LOG_LEVEL', kind: 'string', def: 'info', help: 'debug | info | warn | error' },
];

export class UsageError extends Error {
  readonly code = 'E1000';
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `E1000: ${p}`).join('\n'));
    this.name = 'UsageError';
  }
}

export function helpText(): string {
  const lines = ['Usage: fsm-controller [flags]', '       fsm-controller serve-xds | validate | config | error-info [flags]', '', 'Flags (each also settable by its environment variable):'];
  for (const f of FLAGS) {
    const arg = f.kind === 'bool' ? '' : f.kind === 'int' ? ' N' : ' VALUE';
    lines.push(`  --${f.flag}${arg}`.padEnd(30) + `${f.help}${f.def ? ` (default ${f.def})` : ''} [${f.env}]`);
  }
  lines.push('  --help'.padEnd(30) + 'print this help');
  return lines.join('\n') + '\n';
}

/**
 * Parses argv (and env). Returns 'help' when --help was given. Throws
 * UsageError listing every problem.
 */
export function parseControllerOptions(argv: readonly string[], env: Record<string, string | undefined> = process.env): ControllerOptions | 'help' {
  const values = new Map<string, string[]>();
  const problems: string[] = [];
  for (const f of FLAGS) {
    const v = env[f.env];
    if (v !== undefined && v !== '') values.set(f.flag, f.kind === 'list' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [v]);
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
  for (const [k, v] of fromArgs) values.set(k, v);

  const str = (flag: string): string | undefined => {
    const spec = FLAGS.find((f) => f.flag === flag)!;
    return values.get(flag)?.at(-1) ?? spec.def;
  };
  const int = (flag: string): number => {
    const raw = str(flag) ?? '0';
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) problems.push(`flag --${flag}: "${raw}" is not a non-negative integer`);
    return n;
  };
  const bool = (flag: string): boolean => {
    const raw = str(flag);
    if (raw === undefined) return false;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    problems.push(`flag --${flag}: "${raw}" is not a boolean (true/false)`);
    return false;
  };
  const addr = (flag: string): string => {
    const raw = str(flag) as string;
    const m = /^(?:\[[^\]]+\]|[^:]*):(\d{1,5})$/.exec(raw);
    if (!m || Number(m[1]) > 65535) problems.push(`flag --${flag}: "${raw}" is not HOST:PORT`);
    return raw;
  };

  const registry = defaultSourceRegistry();
  const sources: SourceSpec[] = [];
  for (const s of values.get('source') ?? []) {
    try {
      sources.push(registry.parse(s));
    } catch (err) {
      problems.push(`flag --source: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (sources.length === 0 && !problems.some((p) => p.startsWith('flag --source'))) problems.push(`at least one --source is required (${registry.usage()})`);
  const logLevel = str('log-level') as ControllerOptions['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) problems.push(`flag --log-level: "${logLevel}" is not one of debug, info, warn, error`);

  const opts: ControllerOptions = {
    sources,
    meshName: str('mesh-name') as string,
    fsmNamespace: str('fsm-namespace') as string,
    trustDomain: str('trust-domain') as string,
    xdsListen: addr('xds-listen'),
    repoListen: addr('repo-listen'),
    adminListen: addr('admin-listen'),
    stateDir: str('state-dir'),
    pipyCodebase: str('pipy-codebase'),
    gatewayCodebase: str('gateway-codebase'),
    quietMs: int('quiet-ms'),
    maxDelayMs: int('max-delay-ms'),
    repoTls: bool('repo-tls'),
    xdsTls: bool('xds-tls'),
    logLevel,
  };
  if (opts.maxDelayMs < opts.quietMs) problems.push(`flag --max-delay-ms (${opts.maxDelayMs}) must not be below --quiet-ms (${opts.quietMs})`);
  if (problems.length) throw new UsageError(problems);
  return opts;
}
