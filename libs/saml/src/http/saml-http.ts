import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { chooseLang, type Lang } from '#idtoken/oidc';
import { SamlRequestRefused } from '../hardening/index.js';
import type { InboundMessage, SamlBinding } from '../sso/saml-request-intake.js';
import { pageHeaders, refusedPage } from './saml-pages.js';

/**
 * The cookie naming the browser: `__Host-` over https (no Domain, Path=/, Secure — a sibling subdomain cannot plant
 * one), a plain name on a development http issuer.
 */
export function browserCookieName(secure: boolean): string {
  return secure ? '__Host-idtoken_saml' : 'idtoken_saml';
}

/** The binding's message as received: for Redirect the raw query string too (its signature covers the raw bytes). */
export function inboundOf(request: FastifyRequest, binding: SamlBinding): InboundMessage {
  const url = request.raw.url ?? '';
  const question = url.indexOf('?');
  return {
    binding,
    rawQuery: question === -1 ? '' : url.slice(question + 1),
    fields: ((binding === 'redirect' ? request.query : request.body) ?? {}) as Record<string, unknown>,
  };
}

/** The random value naming this browser (HttpOnly cookie on /saml), set when absent. */
export function browserOf(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const name = browserCookieName(secure);
  const existing = cookie(request, name);
  if (existing && /^[\w-]{22,64}$/.test(existing)) return existing;
  const value = randomBytes(18).toString('base64url');
  // SameSite=Lax: sent on the top-level navigations of the login, never on cross-site subrequests.
  void reply.header(
    'set-cookie',
    `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400${secure ? '; Secure' : ''}`,
  );
  return value;
}

export function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export function langOf(request: FastifyRequest): Lang {
  const accept = request.headers['accept-language'];
  return chooseLang(undefined, typeof accept === 'string' ? accept : undefined);
}

export async function sendPage(reply: FastifyReply, html: string, status = 200, formTarget?: string): Promise<void> {
  await reply.status(status).headers(pageHeaders(formTarget)).send(html);
}

/** A refused request: 400 with the reason, nothing signed (docs/saml.md "Hardening"). */
export async function sendRefused(
  request: FastifyRequest,
  reply: FastifyReply,
  error: SamlRequestRefused,
): Promise<void> {
  request.log.warn({ reason: error.reason }, `SAML request refused: ${error.message}`);
  await sendPage(reply, refusedPage(error.message, langOf(request)), 400);
}
