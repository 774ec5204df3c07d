import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { PinoNestLogger, configureHttp, requestIdFor, type AppConfig, type EphemeralStore } from '#idtoken/platform';
import { mountOidc } from '#idtoken/oidc';
import { OriginCheckingIoAdapter, allowBrowserOnlyServices } from '#idtoken/sessions';
import { AppModule } from './app.module.js';

/** Builds the IdP application (not yet listening): used by main.ts and by the end-to-end tests. */
export async function createIdpApp(
  config: AppConfig,
  logger: Logger,
  options: { ephemeralStore?: EphemeralStore } = {},
): Promise<NestFastifyApplication> {
  const { trustProxy } = config;
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    genReqId: requestIdFor,
    requestIdHeader: false,
    // A hop count means: believe the first `n` hops (proxy-addr's function form; the type takes no number).
    trustProxy: typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
    bodyLimit: 1024 * 1024,
    // Close idle keep-alive connections on shutdown instead of waiting for clients.
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
    abortOnError: false,
  });
  // oidc-provider takes its requests raw, before Fastify parses bodies (docs/oidc.md).
  mountOidc(app);
  configureHttp(app);
  // spec §6.1: a browser-only relying party's pages call initiate and the poll cross-origin.
  allowBrowserOnlyServices(app);
  // spec §6.4: socket.io on the same server; every socket handshake's Origin is checked (`allowRequest`).
  app.useWebSocketAdapter(new OriginCheckingIoAdapter(app));
  return app;
}
