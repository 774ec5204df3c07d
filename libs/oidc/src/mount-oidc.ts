import type { IncomingMessage } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { Counter } from 'prom-client';
import { AppConfig, MetricsRegistry } from '#idtoken/platform';
import { OidcProviderHost } from './oidc-provider.host.js';
import { isOidcPath } from './oidc-routes.js';

/**
 * Hands oidc-provider its requests at `onRequest`, before Fastify parses a body (oidc-provider reads and parses its
 * own), and lets every other request through (Nest's adapter parses the interaction forms).
 *
 * oidc-provider builds every URL it publishes from the request (origin, then mount path). So that discovery names
 * `ISSUER_URL` byte for byte whatever Host or X-Forwarded-* a caller sends, each request is presented to it as
 * arriving at the issuer's origin, under the issuer's path, from the client IP Fastify resolved (TRUST_PROXY).
 */
export function mountOidc(app: NestFastifyApplication): void {
  const host = app.get(OidcProviderHost);
  const issuer = new URL(app.get(AppConfig).issuerUrl);
  const fastify = app.getHttpAdapter().getInstance();
  // oidc-provider answers these itself (the reply is hijacked), so they are counted here, not by the HTTP histogram.
  const requests = new Counter({
    name: 'idtoken_oidc_requests_total',
    help: 'OIDC endpoint requests (oidc-provider), by endpoint and status code',
    labelNames: ['endpoint', 'status_code'],
    registers: [app.get(MetricsRegistry).registry],
  });
  const answer = async (request: FastifyRequest, reply: FastifyReply, path: string) => {
    const endpoint = endpointOf(path);
    reply.raw.once('finish', () => requests.inc({ endpoint, status_code: String(reply.raw.statusCode) }));
    asIssuerRequest(request.raw, issuer, request.ip);
    // Ready before the reply is taken over: a failure here is still answered by Nest's problem filter.
    const provider = await host.provider();
    reply.hijack();
    await handlerOf(provider)(request.raw, reply.raw);
  };
  // Callback style, not async: every other request passes straight through, with no promise made for it.
  fastify.addHook('onRequest', (request, reply, done) => {
    const path = request.raw.url?.split('?')[0] ?? '';
    if (!isOidcPath(path)) return done();
    answer(request, reply, path).then(() => done(), done);
  });
}

type ProviderHandler = ReturnType<Provider['callback']>;
const handlers = new WeakMap<Provider, ProviderHandler>();

/** The provider's request handler, composed once per provider (Koa composes its middleware on every callback()). */
function handlerOf(provider: Provider): ProviderHandler {
  let handler = handlers.get(provider);
  if (!handler) {
    handler = provider.callback();
    handlers.set(provider, handler);
  }
  return handler;
}

function asIssuerRequest(raw: IncomingMessage & { originalUrl?: string }, issuer: URL, clientIp: string): void {
  raw.headers.host = issuer.host;
  raw.headers['x-forwarded-host'] = issuer.host;
  raw.headers['x-forwarded-proto'] = issuer.protocol.slice(0, -1);
  raw.headers['x-forwarded-for'] = clientIp;
  // The issuer's path (a reverse proxy strips it before us) becomes oidc-provider's mount path.
  const issuerPath = issuer.pathname === '/' ? '' : issuer.pathname;
  raw.originalUrl = `${issuerPath}${raw.url ?? ''}`;
}

/** A bounded label: the path segment after /oidc (auth, token, me, …), `discovery`, or `other`. */
function endpointOf(path: string): string {
  if (path.startsWith('/.well-known/')) return 'discovery';
  const segment = /^\/oidc\/([a-z_]{1,24})(?:\/|$)/.exec(path)?.[1];
  return segment ?? 'other';
}
