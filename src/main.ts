import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startService, type Mode } from './service';

const MODES: readonly Mode[] = ['all', 'api', 'worker'];

/**
 * Entry point of `npm start` (all), `npm run start:api` and `npm run start:worker`. Only this file listens for
 * signals and exits the process.
 */
async function main(): Promise<void> {
  const mode = (process.argv[2] ?? 'all') as Mode;
  if (!MODES.includes(mode)) {
    process.stderr.write(`usage: node dist/src/main.js [${MODES.join('|')}]\n`);
    process.exit(2);
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    process.exit(1);
  });

  const service = await startService({ config, mode, logger }).catch((err: unknown) => {
    logger.fatal({ err }, `vigil failed to start: ${(err as Error).message}`);
    process.exit(1);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, draining workers');
    // A second signal, or a drain that hangs, must not keep the process around forever.
    const force = setTimeout(() => {
      logger.error('graceful shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    try {
      await service.stop();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
