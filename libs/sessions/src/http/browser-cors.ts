import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ActiveServices } from '#idtoken/services';

/** The session API a browser-only relying party's page calls: initiate and the poll fallback (spec §6.1, §6.4). */
const BROWSER_ROUTES = /^\/auth\/(?:initiate|sessions\/[^/?]+)(?:\?|$)/;
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for browser-only relying parties (docs/decisions.md, "CORS for publicInitiate services"): the origin of an
 * active `publicInitiate` service may call `POST /auth/initiate` and `GET /auth/sessions/{id}` from its pages, and
 * read the answers — errors included. No other origin, and no other route: the rest of the REST API is never
 * cross-origin. No credentials (cookies) are involved, so none are allowed.
 */
export function allowBrowserOnlyServices(app: NestFastifyApplication): void {
  const services = app.get(ActiveServices);
  app
    .getHttpAdapter()
    .getInstance()
    // Callback style, not async (configure-http.ts): a request without an Origin passes with no promise made for it.
    .addHook('onRequest', (request, reply, done) => {
      if (!BROWSER_ROUTES.test(request.url)) return done();
      void reply.header('vary', 'Origin');
      const origin = request.headers.origin;
      if (!origin) return done();
      services.hasBrowserOrigin(origin).then((allowed) => {
        if (!allowed) return done();
        void reply.header('access-control-allow-origin', origin);
        if (request.method !== 'OPTIONS') return done();
        // Answered here: done() is not called, so the request goes no further.
        void reply
          .code(204)
          .header('access-control-allow-methods', 'GET, POST')
          .header('access-control-allow-headers', 'authorization, content-type')
          .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS))
          .send();
      }, done);
    });
}
