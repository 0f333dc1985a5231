import * as grpc from '@grpc/grpc-js';
import { format } from 'node:util';
import type { Logger } from '../../src/shared/logger.js';

/**
 * Sends grpc-js's own log lines through `logger` instead of its default,
 * which writes raw `E …` lines to stderr (for example `E No address added
 * out of total 1 resolved` next to the error a failed listen already
 * rejects with). grpc-js's logger is process-wide, so this is for programs
 * (the CLI), not for the library: a program embedding the server keeps its
 * own choice. grpc-js errors become warnings (the caller sees the failures
 * that matter as errors of its own calls); its info and debug lines are
 * debug lines. GRPC_VERBOSITY still selects what grpc-js emits.
 */
export function routeGrpcLogging(logger: Logger): void {
  const line = (level: 'warn' | 'debug') => (message?: unknown, ...rest: unknown[]) => logger[level](format(message, ...rest), { component: 'grpc-js' });
  grpc.setLogger({ error: line('warn'), info: line('debug'), debug: line('debug') });
}
