import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createRootLogger } from './logging/logger.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createRootLogger(config.logLevel);
  const app = await createApp(config, { logger });
  await app.listen(config.port);
  logger.info({ url: config.appUrl, docs: `${config.appUrl}/docs` }, 'Tessera is listening');
}

void bootstrap();
