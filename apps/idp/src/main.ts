import { existsSync } from 'node:fs';
import { ConfigError, createRootLogger, loadConfig } from '#idtoken/platform';
import { createIdpApp } from './create-app.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');

  let config;
  const warnings: string[] = [];
  try {
    config = loadConfig(process.env, {
      warn: (message) => warnings.push(message),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const logger = createRootLogger(config.logLevel);
  for (const warning of warnings) logger.warn(`⚠️  ${warning}`);

  const app = await createIdpApp(config, logger);
  await app.listen({ port: config.port, host: config.host });

  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ ...config.describe(), port }, `IDToken is ready on port ${port}`);
  if (process.stdout.isTTY) {
    process.stdout.write(
      `\n  IDToken is running: http://localhost:${port}\n` +
        `  issuer      ${config.issuerUrl}\n` +
        `  API docs    http://localhost:${port}/docs\n` +
        `  readiness   http://localhost:${port}/health/ready\n\n`,
    );
  }

  // Graceful shutdown: stop taking requests, finish those in flight, close the database and the store.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal} received: shutting down`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown took longer than ${config.shutdownTimeoutMs} ms: exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    app.close().then(
      () => {
        clearTimeout(deadline);
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`IDToken failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
