import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { startGateway } from './main.js';
import { createLogger } from './server/logger.js';

/** `npm start` / `meridian serve`: start, and stop gracefully on SIGINT/SIGTERM. */
export async function runGateway(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const gateway = await startGateway(config, logger);
  let stopping = false;
  // npm forwards the terminal's signal to the gateway too: only the first one counts.
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
