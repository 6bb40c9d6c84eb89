import 'reflect-metadata';
import { App } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

/** How long a stop may take (flushing pending usage included) before the process exits anyway. */
const STOP_DEADLINE_MS = 30_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.log.level);
  const app = new App(config, logger);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new input, flushing pending usage');
    setTimeout(() => {
      logger.error('stop deadline passed, exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    const { unwrittenRows } = await app.stop();
    if (unwrittenRows > 0) {
      // Usage was lost: a supervisor (or an operator reading exit codes) must see it.
      logger.error({ unwrittenRows }, 'stopped with usage rows unwritten');
      process.exit(1);
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    await app.start();
  } catch (error) {
    // The reason in the message itself (e.g. "DATA_DIR ... is in use by process 1234"), where an operator reads first.
    logger.fatal({ err: error }, `failed to start: ${error instanceof Error ? error.message : String(error)}`);
    await app.stop();
    process.exit(1);
  }
}

void main();
