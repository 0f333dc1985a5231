/**
 * MeshConfig `observability.fsmLogLevel`, applied live: the logger follows
 * the level the stored MeshConfig sets, and returns to the boot level
 * (`--log-level`, FSM's `--verbosity`) when the field or the MeshConfig goes
 * away. An invalid value never reaches here: the MeshConfig schema refuses
 * it and the previous MeshConfig stays.
 */
import { MESH_CONFIG_KIND, MESH_CONFIG_NAME } from '../model/mesh-config.js';
import type { ModelStore } from '../model/store.js';
import type { LevelledLogger, LogLevel } from '../shared/logger.js';

/** FSM's (zerolog's) level names, as MeshConfig takes them, to this logger's. */
const FROM_FSM: Record<string, LogLevel | 'off'> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'error',
  panic: 'error',
  disabled: 'off',
};

const VERBOSITY: Record<LogLevel | 'off', number> = { debug: 0, info: 1, warn: 2, error: 3, off: 4 };

/** The logger level for a MeshConfig `observability.fsmLogLevel` value, or undefined when it names none. */
export function logLevelFromMeshConfig(value: unknown): LogLevel | 'off' | undefined {
  return typeof value === 'string' ? FROM_FSM[value] : undefined;
}

export interface MeshConfigLogLevelOptions {
  store: ModelStore;
  logger: LevelledLogger;
  /** The level to use while no MeshConfig sets one. */
  bootLevel: LogLevel;
  fsmNamespace: string;
}

/** Sets the logger's level from the current MeshConfig; call it after every MeshConfig change. */
export function createMeshConfigLogLevel(opts: MeshConfigLogLevelOptions): { apply(): void } {
  const { store, logger } = opts;
  const apply = () => {
    const stored = store.get(MESH_CONFIG_KIND, opts.fsmNamespace, MESH_CONFIG_NAME);
    const value = (stored?.spec as { observability?: { fsmLogLevel?: unknown } } | undefined)?.observability?.fsmLogLevel;
    const next = logLevelFromMeshConfig(value) ?? opts.bootLevel;
    if (next === logger.level) return;
    const fields = { from: logger.level, to: next, source: value === undefined ? '--log-level' : `MeshConfig observability.fsmLogLevel "${String(value)}"` };
    // Announce it while the more verbose of the two levels is in effect, so the line is seen.
    const louder = VERBOSITY[next] < VERBOSITY[logger.level];
    if (louder) logger.setLevel(next);
    logger.info('log level changed', fields);
    if (!louder) logger.setLevel(next);
  };
  return { apply };
}
