/**
 * `fsm-controller validate DIR | --source file:DIR [--mesh-name fsm] [--fsm-namespace fsm-system]
 *   [--file-max-bytes N] [--file-max-objects N]`
 *
 * Loads DIR into a model store and prints one line per problem,
 * `file:line: Kind namespace/name: field: reason [code]` (warnings say
 * `warning:` after the location), then one line per unhealthy Gateway API
 * status condition of what the gateway controller owns,
 * `Kind namespace/name: parent: Type=Status Reason: message`. Exit code 0
 * when nothing but warnings was found, 1 when an error or an unhealthy
 * condition was or no object at all, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { computeGatewayStatus } from '../../generate/gateway/status/gateway-status.js';
import { formatStatusProblem, statusProblems } from '../../generate/gateway/status/status-problems.js';
import { formatModelError } from '../../model/errors.js';
import type { ModelStore } from '../../model/store.js';
import { DEFAULT_FILE_LIMITS, type FileLimits } from '../../shared/file-limits.js';
import { loadDirectory } from './load-directory.js';

export interface ValidateIO {
  out(line: string): void;
  err(line: string): void;
}

const defaultIO: ValidateIO = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

const USAGE = `usage: fsm-controller validate DIR [flags]
       fsm-controller validate --source file:DIR [flags]

Checks the manifests under DIR as fsm-controller --source file:DIR would load them
and prints every problem as file:line: Kind namespace/name: field: reason [code].
Exits 0 when valid (warnings allowed), 1 when a problem or no object was found, 2 on bad usage.

Flags:
  --mesh-name NAME          mesh name; namespaces labelled flomesh.io/monitored-by=NAME are observed (default fsm)
  --fsm-namespace NS        control-plane namespace holding fsm-mesh-config (default fsm-system)
  --file-max-bytes N        larger manifest files are refused (default ${DEFAULT_FILE_LIMITS.maxFileBytes})
  --file-max-objects N      files with more objects are refused (default ${DEFAULT_FILE_LIMITS.maxObjectsPerFile})
  --help                    print this help`;

/** The directory to read, or what is wrong with the arguments. */
function directoryOf(source: string | undefined, positionals: string[]): string | { problem: string } {
  if (positionals.length > 1) return { problem: `one directory expected, got ${positionals.length}: ${positionals.join(' ')}` };
  const positional = positionals[0];
  if (source !== undefined && positional !== undefined) return { problem: 'give the directory either as DIR or as --source file:DIR, not both' };
  if (positional !== undefined) return positional.startsWith('file:') ? positional.slice('file:'.length) : positional;
  if (source === undefined) return { problem: 'missing the directory to check: fsm-controller validate DIR' };
  if (source.startsWith('file:') && source.length > 'file:'.length) return source.slice('file:'.length);
  if (source === 'kubernetes' || source.startsWith('kubernetes:')) return { problem: 'validate checks manifest files; --source kubernetes is not supported (the API server validates what it stores)' };
  return { problem: `--source "${source}" is not file:DIR; for a directory write --source file:${source} or just validate ${source}` };
}

function positiveInt(raw: string | undefined, flag: string, def: number): number | string {
  if (raw === undefined) return def;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : `--${flag}: "${raw}" is not a positive integer`;
}

export async function run(argv: string[], io: ValidateIO = defaultIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        source: { type: 'string' },
        'mesh-name': { type: 'string', default: 'fsm' },
        'fsm-namespace': { type: 'string', default: 'fsm-system' },
        'file-max-bytes': { type: 'string' },
        'file-max-objects': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    io.err(`E1000: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const dir = directoryOf(values.source, positionals);
  const maxFileBytes = positiveInt(values['file-max-bytes'], 'file-max-bytes', DEFAULT_FILE_LIMITS.maxFileBytes);
  const maxObjectsPerFile = positiveInt(values['file-max-objects'], 'file-max-objects', DEFAULT_FILE_LIMITS.maxObjectsPerFile);
  const problem = typeof dir === 'object' ? dir.problem : typeof maxFileBytes === 'string' ? maxFileBytes : typeof maxObjectsPerFile === 'string' ? maxObjectsPerFile : undefined;
  if (problem !== undefined || typeof dir !== 'string') {
    io.err(`E1000: ${problem}\n${USAGE}`);
    return 2;
  }
  const limits: FileLimits = { maxFileBytes: maxFileBytes as number, maxObjectsPerFile: maxObjectsPerFile as number };
  let store: ModelStore;
  try {
    store = await loadDirectory(dir, { meshName: values['mesh-name'], fsmNamespace: values['fsm-namespace'] }, limits);
  } catch (err) {
    io.err(err instanceof Error ? err.message : String(err));
    return 1;
  }
  const all = store.errors();
  for (const e of all) io.out(formatModelError(e));
  const conditions = statusProblems(computeGatewayStatus(store));
  for (const p of conditions) io.out(formatStatusProblem(p));
  const errors = all.filter((e) => e.severity !== 'warning').length + conditions.length;
  const warnings = all.length - (errors - conditions.length);
  const warned = warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : '';
  if (errors > 0) {
    io.err(`${dir}: ${errors} problem${errors === 1 ? '' : 's'}${warned}; not valid`);
    return 1;
  }
  if (store.count() === 0) {
    io.err(`${dir}: no objects found (no *.yaml, *.yml or *.json manifest with a mesh object); not valid`);
    return 1;
  }
  const count = store.count();
  io.err(`${dir}: ${count} object${count === 1 ? '' : 's'}, valid${warned}`);
  return 0;
}
