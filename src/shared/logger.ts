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
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger that drops everything (the default for library users). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to process.stderr. */
  write?: (line: string) => void;
  /** Fields added to every line, e.g. `{module: 'server'}`. */
  base?: Record<string, unknown>;
}

/** A structured logger writing one JSON object per line. */
export function createJsonLogger(opts: JsonLoggerOptions = {}): Logger {
  const min = LEVELS[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = opts.base ?? {};
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...(fields ? redact(fields) : {}) }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
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
