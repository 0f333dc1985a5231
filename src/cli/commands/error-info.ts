/**
 * `fsm-controller error-info [CODE]`: prints FSM's error-code table, or the
 * entry of one code. An unknown code exits 1 with a message.
 */
const USAGE = `usage: fsm-controller error-info [CODE]

Prints FSM's documented error-code table (FSM docs §8.2), or the entry of one code
(E2002, e2002 or 2002).`;
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
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    io.out(USAGE);
    return 0;
  }
  if (argv.length > 1 || argv[0]?.startsWith('-')) {
    io.err(`E1000: ${argv.length > 1 ? 'one code expected' : `unknown flag ${argv[0]}`}\n${USAGE}`);
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
