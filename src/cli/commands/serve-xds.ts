import { stat } from 'node:fs/promises';
import { createSnapshotCache, type SnapshotCache } from '../../../cache/index.js';
import { createXdsServer } from '../../../server/index.js';
import { createAdminServer, parseHostPort } from '../../observability/admin-http.js';
import { routeGrpcLogging } from '../../../server/transport/grpc-logging.js';
import { DEFAULT_FILE_LIMITS, type FileLimits } from '../../shared/file-limits.js';
import { createLogger, type LogFormat, type Logger, type LogLevel } from '../../shared/logger.js';
import { createXdsDirectorySource } from '../../xds-files/index.js';
import { formatIssue } from '../../xds-files/parse-file.js';

/**
 * `fsm-controller serve-xds --dir DIR [--xds-listen H:P] [--admin-listen H:P] [--strict-validate]`:
 * serves the xDS resources in DIR (JSON/YAML, reloaded on change) over ADS to
 * every node alike, with health and debug endpoints. A file that cannot be
 * read, is over the limits or does not parse is logged and listed in
 * /debug/xds; its last good resources stay served. Resources that break a
 * protoc-gen-validate rule of the Envoy API are served with a warning (gRPC's
 * clients ignore most of those rules) unless --strict-validate refuses them.
 * Exits 0 on SIGTERM or SIGINT after a graceful close; 2 on bad flags (E1000).
 */

export interface ServeXdsOptions {
  dir: string;
  xdsListen: string;
  adminListen: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  limits: FileLimits;
  /** Refuse resources that break a protoc-gen-validate rule (default: serve them with a warning). */
  strictValidate: boolean;
}

/** The one cache key: every node is served the same resources. */
const ALL_NODES = 'all';

const USAGE =
  'Usage: fsm-controller serve-xds --dir DIR [--xds-listen HOST:PORT (127.0.0.1:15128)] [--admin-listen HOST:PORT (127.0.0.1:9091)] ' +
  `[--log-level LEVEL] [--log-format json|text] [--file-max-bytes N (${DEFAULT_FILE_LIMITS.maxFileBytes})] [--file-max-objects N (${DEFAULT_FILE_LIMITS.maxObjectsPerFile})] [--strict-validate]`;

/** Parses the flags; throws an Error whose message starts with E1000 and names the flag. */
export function parseServeXdsArgs(argv: readonly string[]): ServeXdsOptions | 'help' {
  const values: Record<string, string> = {};
  const known = new Set(['dir', 'xds-listen', 'admin-listen', 'log-level', 'log-format', 'file-max-bytes', 'file-max-objects', 'strict-validate']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !known.has(m[1] ?? '')) throw new Error(`E1000: unknown flag "${arg}"`);
    const name = m[1] ?? '';
    if (name === 'strict-validate') {
      if (m[2] !== undefined) throw new Error(`E1000: flag --strict-validate takes no value`);
      values[name] = 'true';
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`E1000: flag --${name} needs a value`);
    values[name] = value;
  }
  if (!values.dir) throw new Error('E1000: flag --dir is required (the directory of xDS resource files)');
  const opts: ServeXdsOptions = {
    dir: values.dir,
    xdsListen: values['xds-listen'] ?? '127.0.0.1:15128',
    adminListen: values['admin-listen'] ?? '127.0.0.1:9091',
    logLevel: (values['log-level'] ?? 'info') as LogLevel,
    logFormat: (values['log-format'] ?? 'json') as LogFormat,
    limits: {
      maxFileBytes: positive(values['file-max-bytes'], 'file-max-bytes', DEFAULT_FILE_LIMITS.maxFileBytes),
      maxObjectsPerFile: positive(values['file-max-objects'], 'file-max-objects', DEFAULT_FILE_LIMITS.maxObjectsPerFile),
    },
    strictValidate: values['strict-validate'] === 'true',
  };
  for (const flag of ['xds-listen', 'admin-listen'] as const) {
    try {
      parseHostPort(flag === 'xds-listen' ? opts.xdsListen : opts.adminListen, `--${flag}`);
    } catch (err) {
      throw new Error(`E1000: flag ${(err as Error).message}`);
    }
  }
  if (!['debug', 'info', 'warn', 'error'].includes(opts.logLevel)) throw new Error(`E1000: flag --log-level must be debug, info, warn or error, got "${opts.logLevel}"`);
  if (!['json', 'text'].includes(opts.logFormat)) throw new Error(`E1000: flag --log-format must be json or text, got "${opts.logFormat}"`);
  return opts;
}

function positive(raw: string | undefined, flag: string, def: number): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`E1000: flag --${flag} must be a positive integer, got "${raw}"`);
  return n;
}

/** A running serve-xds: bound addresses and a graceful close. */
export interface ServeXdsHandle {
  readonly xdsAddress: string;
  readonly adminAddress: string;
  readonly cache: SnapshotCache;
  close(): Promise<void>;
}

/** Loads DIR, binds both ports and serves until `close`. */
export async function serveXds(opts: ServeXdsOptions, logger: Logger): Promise<ServeXdsHandle> {
  const dirStat = await stat(opts.dir).catch(() => undefined);
  if (!dirStat?.isDirectory()) throw new Error(`E1000: flag --dir: "${opts.dir}" is not a directory`);
  const cache = createSnapshotCache({ nodeHash: () => ALL_NODES, logger });
  const source = createXdsDirectorySource({
    dir: opts.dir,
    strictValidate: opts.strictValidate,
    logger,
    limits: opts.limits,
    onSnapshot: (snapshot) => {
      cache.setSnapshot(ALL_NODES, snapshot);
      logger.info('resources updated', { versions: Object.fromEntries(snapshot.typeUrls().map((t) => [shortType(t), snapshot.version(t)])) });
    },
  });
  // gRPC xDS clients never mean "everything" by an empty request.
  const xds = createXdsServer({ watcher: cache, logger, legacyWildcard: false });
  let ready = false;
  const admin = createAdminServer({
    listen: opts.adminListen,
    routes: {
      '/health/alive': () => ({ status: 200, body: { alive: true } }),
      '/health/ready': () => (ready ? { status: 200, body: { ready: true } } : { status: 503, body: { ready: false } }),
      '/debug/xds': () => ({ status: 200, body: debugXds(cache, source.issues()) }),
    },
  });
  const adminAddr = await admin.start();
  try {
    await source.start();
    cache.setSnapshot(ALL_NODES, source.snapshot());
    const port = await xds.listen(opts.xdsListen);
    ready = true;
    const xdsAddress = `${parseHostPort(opts.xdsListen).host}:${port}`;
    const adminAddress = `${adminAddr.address}:${adminAddr.port}`;
    logger.info('serving xDS', { xds: xdsAddress, admin: adminAddress, dir: opts.dir });
    return {
      xdsAddress,
      adminAddress,
      cache,
      async close() {
        ready = false;
        await source.close();
        await xds.close({ graceMs: 2000 });
        await admin.close();
      },
    };
  } catch (err) {
    await source.close();
    await xds.close({ graceMs: 0 });
    await admin.close();
    throw err;
  }
}

/** /debug/xds: per node and type the versions sent and acked and the last NACK; plus file problems and served versions. */
function debugXds(cache: SnapshotCache, issues: ReturnType<ReturnType<typeof createXdsDirectorySource>['issues']>) {
  const snapshot = cache.getSnapshot(ALL_NODES);
  return {
    served: snapshot ? Object.fromEntries(snapshot.typeUrls().map((t) => [t, { version: snapshot.version(t), names: [...snapshot.resources(t).keys()] }])) : {},
    nodes: cache.nodeStatus(ALL_NODES).map((n) => ({
      id: n.node.id,
      cluster: n.node.cluster,
      userAgent: [n.node.userAgentName, n.node.userAgentVersion].filter(Boolean).join(' '),
      streams: n.streams,
      types: Object.fromEntries(
        n.types.map((t) => [
          t.typeUrl,
          {
            versionSent: t.versionSent,
            versionAcked: t.versionAcked,
            ...(t.lastNack ? { lastNack: { version: t.lastNack.version, error: t.lastNack.error, time: new Date(t.lastNack.time).toISOString() } } : {}),
          },
        ]),
      ),
    })),
    fileIssues: issues.map((i) => ({ ...i, message: formatIssue(i) })),
  };
}

function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

export async function run(argv: string[]): Promise<number> {
  let opts: ServeXdsOptions | 'help';
  try {
    opts = parseServeXdsArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const logger = createLogger({ level: opts.logLevel, format: opts.logFormat, base: { component: 'serve-xds' } });
  routeGrpcLogging(logger);
  let handle: ServeXdsHandle;
  try {
    handle = await serveXds(opts, logger);
  } catch (err) {
    const message = (err as Error).message;
    process.stderr.write(`${message.startsWith('E1000') ? message : `serve-xds: ${message}`}\n`);
    return message.startsWith('E1000') ? 2 : 1;
  }
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info('shutting down', { signal });
  await handle.close();
  logger.info('stopped');
  return 0;
}
