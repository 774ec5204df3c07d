import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { ConfigError, createRootLogger, loadConfig } from '#idtoken/platform';

/**
 * Libraries that talk to the console (oidc-provider's runtime warning and notices) go to the structured log
 * instead: stdout stays JSON lines, and stderr is left for the one line that says why the server did not start.
 */
function consoleToLog(logger: Logger): void {
  const log = logger.child({ component: 'console' });
  const text = (args: unknown[]) =>
    args.map((arg) => (arg instanceof Error ? (arg.stack ?? arg.message) : String(arg))).join(' ');
  console.warn = (...args: unknown[]) => log.warn(text(args));
  console.info = (...args: unknown[]) => log.info(text(args));
  console.log = (...args: unknown[]) => log.info(text(args));
  console.error = (...args: unknown[]) => log.error(text(args));
}

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
  consoleToLog(logger);

  // Loaded after the configuration is known good and the console is routed to the log.
  const { createIdpApp } = await import('./create-app.js');
  const app = await createIdpApp(config, logger);
  await app.listen({ port: config.port, host: config.host });

  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ ...config.describe(), port }, `IDToken is ready on port ${port}`);
  // IDTOKEN_DEMO=1: the Demo Shop next to the server, for a first walk through (README); never in production.
  const demoPort = Number(process.env.DEMO_SHOP_PORT ?? 4000);
  const demo =
    process.env.IDTOKEN_DEMO === '1' && !config.isProduction
      ? await (
          await import('./demo.js')
        ).startDemo(app, { issuerUrl: config.issuerUrl, shopPort: demoPort, nodeEnv: config.nodeEnv })
      : undefined;
  if (process.env.IDTOKEN_DEMO === '1' && config.isProduction) logger.warn('IDTOKEN_DEMO is ignored in production');
  if (demo) logger.info({ shop: demo.shop.url }, 'Demo Shop started');
  if (process.stdout.isTTY || demo) {
    process.stdout.write(
      `\n  IDToken is running: http://localhost:${port}\n` +
        `  issuer      ${config.issuerUrl}\n` +
        `  API docs    http://localhost:${port}/docs\n` +
        `  readiness   http://localhost:${port}/health/ready\n${demo?.walkthrough ?? ''}\n`,
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
    Promise.all([app.close(), demo?.shop.close()]).then(
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
