/**
 * The logger interface every module takes as an option. Fields are
 * structured; implementations must never be handed private keys (callers
 * redact them, see `redact` in this module).
 */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** `json`: one object per line, for machines; `text`: `time LEVEL message key=value …`, for people. */
export type LogFormat = 'json' | 'text';
const LEVELS: Record<LogLevel | 'off', number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };

/** A logger that drops everything (the default for library users). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** A logger whose threshold can change while it runs (MeshConfig `observability.fsmLogLevel`). */
export interface LevelledLogger extends Logger {
  /** Lines below `level` are dropped from now on; `off` drops everything. */
  setLevel(level: LogLevel | 'off'): void;
  readonly level: LogLevel | 'off';
}

export interface LoggerOptions {
  level?: LogLevel | 'off';
  /** Default `json`. */
  format?: LogFormat;
  /** Where lines go; defaults to process.stderr. */
  write?: (line: string) => void;
  /** Fields added to every line, e.g. `{module: 'server'}`. */
  base?: Record<string, unknown>;
}

/** A structured logger: one line per call, in the chosen format, private keys redacted. */
export function createLogger(opts: LoggerOptions = {}): LevelledLogger {
  let level = opts.level ?? 'info';
  let min = LEVELS[level];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = opts.base ?? {};
  const format = opts.format === 'text' ? formatText : formatJson;
  const emit = (lineLevel: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lineLevel] < min) return;
    write(format(new Date().toISOString(), lineLevel, msg, fields ? redact(fields) : {}, base));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    setLevel(next) {
      level = next;
      min = LEVELS[next];
    },
    get level() {
      return level;
    },
  };
}

/** A logger writing one JSON object per line. */
export function createJsonLogger(opts: Omit<LoggerOptions, 'format'> = {}): LevelledLogger {
  return createLogger({ ...opts, format: 'json' });
}

function formatJson(time: string, level: LogLevel, msg: string, fields: Record<string, unknown>, base: Record<string, unknown>): string {
  return JSON.stringify({ time, level, msg, ...base, ...fields });
}

/** `2030-01-01T00:00:00.000Z WARN  message key=value key="two words" obj={"a":1}`: the line's own fields first, then the base fields. */
function formatText(time: string, level: LogLevel, msg: string, fields: Record<string, unknown>, base: Record<string, unknown>): string {
  const parts = [time, level.toUpperCase().padEnd(5), msg];
  const add = (k: string, v: unknown) => {
    if (v !== undefined) parts.push(`${k}=${typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)}`);
  };
  for (const [k, v] of Object.entries(fields)) add(k, v);
  for (const [k, v] of Object.entries(base)) if (!(k in fields)) add(k, v);
  return parts.join(' ');
}

const SECRET_KEY = /private.?key|^key$|keyPem|^PrivateKey$|private_key/i;
const PEM_PRIVATE = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

/**
 * Deep copy of `value` with private keys replaced by "[redacted]": any field
 * whose name looks like a private key, and any PEM private-key block inside a
 * string. Used by loggers and debug endpoints.
 */
export function redact<T>(value: T): T {
  return redactValue(value, '') as T;
}

function redactValue(value: unknown, key: string): unknown {
  if (typeof value === 'string') {
    if (key && SECRET_KEY.test(key)) return '[redacted]';
    return value.includes('PRIVATE KEY-----') ? value.replace(PEM_PRIVATE, '[redacted]') : value;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, ''));
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k);
    return out;
  }
  return value;
}
