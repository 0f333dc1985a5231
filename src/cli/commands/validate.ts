/**
 * `fsm-controller validate --source file:DIR [--mesh-name fsm] [--fsm-namespace fsm-system]`
 *
 * Loads DIR into a model store and prints one line per problem,
 * `file:line: Kind namespace/name: field: reason [code]`, then one line per
 * unhealthy Gateway API status condition of what the gateway controller owns,
 * `Kind namespace/name: parent: Type=Status Reason: message`. Exit code 0 when
 * everything is valid, 1 when a problem was found, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { computeGatewayStatus } from '../../generate/gateway/status/gateway-status.js';
import { formatStatusProblem, statusProblems } from '../../generate/gateway/status/status-problems.js';
import { formatModelError } from '../../model/errors.js';
import type { ModelStore } from '../../model/store.js';
import { loadDirectory } from './load-directory.js';

export interface ValidateIO {
  out(line: string): void;
  err(line: string): void;
}

const defaultIO: ValidateIO = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

const USAGE = 'usage: fsm-controller validate --source file:DIR [--mesh-name NAME] [--fsm-namespace NS]';

export async function run(argv: string[], io: ValidateIO = defaultIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        source: { type: 'string' },
        'mesh-name': { type: 'string', default: 'fsm' },
        'fsm-namespace': { type: 'string', default: 'fsm-system' },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const source = values.source;
  if (!source || !source.startsWith('file:') || source.length <= 'file:'.length) {
    io.err(USAGE);
    return 2;
  }
  const dir = source.slice('file:'.length);
  let store: ModelStore;
  try {
    store = await loadDirectory(dir, { meshName: values['mesh-name'], fsmNamespace: values['fsm-namespace'] });
  } catch (err) {
    io.err(err instanceof Error ? err.message : String(err));
    return 1;
  }
  const errors = store.errors();
  for (const e of errors) io.out(formatModelError(e));
  const conditions = statusProblems(computeGatewayStatus(store));
  for (const p of conditions) io.out(formatStatusProblem(p));
  const total = errors.length + conditions.length;
  if (total > 0) {
    io.err(`${total} problem${total === 1 ? '' : 's'} in ${dir}`);
    return 1;
  }
  io.err(`${dir}: ${store.count()} objects, valid`);
  return 0;
}
