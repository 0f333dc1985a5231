/**
 * `fsm-controller error-info [CODE]`: prints FSM's error-code table, or the
 * entry of one code. An unknown code exits 1 with a message.
 */
import { ERROR_CODES, errorCodeInfo, type ErrorCodeInfo } from '../../observability/error-codes.js';

export interface ErrorInfoIO {
  out(line: string): void;
  err(line: string): void;
}

const defaultIO: ErrorInfoIO = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

function line(i: ErrorCodeInfo): string {
  return i.name ? `${i.code}  ${i.name}: ${i.description}` : `${i.code}  ${i.description}`;
}

export async function run(argv: string[], io: ErrorInfoIO = defaultIO): Promise<number> {
  if (argv.length > 1) {
    io.err('usage: fsm-controller error-info [CODE]');
    return 2;
  }
  const code = argv[0];
  if (code === undefined) {
    for (const i of ERROR_CODES) io.out(line(i));
    return 0;
  }
  const info = errorCodeInfo(code);
  if (!info) {
    io.err(`unknown error code "${code}"; codes have the form E1000 (run \`fsm-controller error-info\` for the table)`);
    return 1;
  }
  io.out(line(info));
  return 0;
}
