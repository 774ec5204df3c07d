import { createServer } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import type { EphemeralStore } from '#idtoken/platform';
import { createIdpApp } from '../../apps/idp/src/create-app.js';
import { trackStart } from './abandoned-starts.js';
import { createTestEnvironment, type TestEnvironment } from './test-env.js';

export interface RunningApp {
  app: NestFastifyApplication;
  env: TestEnvironment;
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  close(): Promise<void>;
}

/** Boots the real IdP on a free loopback port, with a test environment of its own. */
export function startTestApp(
  overrides: Record<string, string | undefined> = {},
  options: { ephemeralStore?: EphemeralStore; port?: number } = {},
): Promise<RunningApp> {
  return trackStart(start(overrides, options));
}

async function start(
  overrides: Record<string, string | undefined>,
  options: { ephemeralStore?: EphemeralStore; port?: number },
): Promise<RunningApp> {
  const env = await createTestEnvironment(overrides);
  const app = await createIdpApp(env.config, pino({ level: 'silent' }), options);
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  let closed: Promise<void> | undefined;
  return {
    app,
    env,
    baseUrl: `http://127.0.0.1:${address.port}`,
    close() {
      closed ??= app.close().then(() => env.dispose());
      return closed;
    },
  };
}

/**
 * startTestApp on a port chosen first, so that its ISSUER_URL is its own address (`baseUrl`): what a test needs when
 * tokens, OIDC or SAML name the issuer and a client must reach it there.
 */
export async function startTestAppAtIssuer(
  overrides: Record<string, string | undefined> = {},
  options: { ephemeralStore?: EphemeralStore } = {},
): Promise<RunningApp> {
  const port = await freePort();
  return startTestApp({ ISSUER_URL: `http://127.0.0.1:${port}`, ...overrides }, { ...options, port });
}

/** A free loopback port, for a server whose issuer URL must name its port before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}
