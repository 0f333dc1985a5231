import { routeGrpcLogging } from '../../../server/transport/grpc-logging.js';
import { createController } from '../../controller/controller.js';
import { helpText, parseControllerOptions, UsageError } from '../../controller/options.js';
import { createLogger } from '../../shared/logger.js';
import { buildInfo, type BuildInfo } from '../../shared/build-info.js';

/**
 * `fsm-controller [flags]`: runs the controller until SIGTERM or SIGINT,
 * then stops accepting, drains streams, closes and exits 0. The log level
 * starts at --log-level and follows MeshConfig observability.fsmLogLevel.
 */
export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--version')) {
    process.stdout.write(`${versionLine(buildInfo())}\n`);
    return 0;
  }
  let options;
  try {
    options = parseControllerOptions(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\nRun fsm-controller --help for usage.\n`);
      return 2;
    }
    throw err;
  }
  if (options === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  const logger = createLogger({ level: options.logLevel, format: options.logFormat, base: { component: 'fsm-controller' } });
  routeGrpcLogging(logger);
  const controller = createController(options, { logger });
  await controller.start();
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('shutting down', { signal });
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve();
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  await controller.close();
  logger.info('stopped');
  return 0;
}

/** `fsm-controller 0.1.0`, with the commit and build date when the image recorded them. */
export function versionLine(info: BuildInfo): string {
  const built = [info.gitCommit && `commit ${info.gitCommit}`, info.buildDate && `built ${info.buildDate}`].filter(Boolean).join(', ');
  return `fsm-controller ${info.version}${built ? ` (${built})` : ''}`;
}
