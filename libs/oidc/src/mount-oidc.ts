import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OidcProviderHost } from './oidc-provider.host.js';
import { isOidcPath } from './oidc-routes.js';

/**
 * Hands oidc-provider its requests at `onRequest`, before Fastify parses a body (oidc-provider reads and parses its
 * own), and lets every other request through (Nest's adapter parses the interaction forms).
 */
export function mountOidc(app: NestFastifyApplication): void {
  const host = app.get(OidcProviderHost);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    const path = request.raw.url?.split('?')[0] ?? '';
    if (!isOidcPath(path)) return;
    reply.hijack();
    await host.handle(request.raw, reply.raw);
  });
}
