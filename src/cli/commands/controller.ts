import { createController } from '../../controller/controller.js';
import { helpText, parseControllerOptions, UsageError } from '../../controller/options.js';
import { createJsonLogger } from '../../shared/logger.js';

/**
 * `fsm-controller [flags]`: runs the controller until SIGTERM or SIGINT,
 * then stops accepting, drains streams, closes and exits 0.
 */
export async function run(argv: string[]): Promise<number> {
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
  const logger = createJsonLogger({ level: options.logLevel, base: { component: 'fsm-controller' } });
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
