import { existsSync } from 'node:fs';
import { describeForLog, VisenError } from './errors.js';
import { ConfigurationError, startVisen, type VisenHandle } from './visen.js';

/** The entry point: the only place that reads process.env and installs process-wide handlers. */
async function main(): Promise<void> {
  // Values already in the environment win over the .env file.
  if (existsSync('.env')) process.loadEnvFile('.env');

  let visen: VisenHandle;
  try {
    visen = await startVisen(process.env);
  } catch (err) {
    if (err instanceof ConfigurationError) console.error(err.message);
    else if (err instanceof VisenError) console.error(`Visen cannot start: ${err.userMessage}`);
    else console.error(`Visen cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }

  const { logger } = visen;
  // A listener's bug must not take everyone's Visen down: log it and keep serving.
  process.on('unhandledRejection', (reason) => logger.error({ err: describeForLog(reason) }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => logger.error({ err: describeForLog(err) }, 'uncaught exception'));

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    visen.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: describeForLog(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
