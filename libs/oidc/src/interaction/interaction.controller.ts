import { createHmac, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import QRCode from 'qrcode';
import { AppConfig, DomainError, EphemeralStore, deriveKey, pageHeaders } from '#idtoken/platform';
import { AccountLinks } from '#idtoken/accounts';
import { ServiceRegistry } from '#idtoken/services';
import { SESSION_AMR_VALUES, SessionService, type SessionStatusAnswer } from '#idtoken/sessions';
import { OidcProviderHost } from '../oidc-provider.host.js';
import { grantApproval } from '../oidc-grants.js';
import { identityScopesFor } from '../oidc-scopes.js';
import { INTERACTION_PATH } from '../oidc-routes.js';
import {
  STYLE_CSS,
  WAIT_JS,
  chooseLang,
  endedPage,
  identifierErrorText,
  identifierPage,
  waitPage,
  type EndReason,
  type Lang,
} from './pages.js';

/** The OOB session an interaction started, kept as long as the interaction may live. */
interface InteractionSession {
  sessionId: string;
  wsToken: string;
  expiresAt: string;
  otp?: string;
  qr?: string;
}

const INTERACTION_TTL_MS = 600_000;

/**
 * The OIDC facade's interaction (libs/oidc): the identifier → an X.1280 session of libs/sessions (the same core as
 * `/auth/initiate`) → the code shown with a countdown while the phone is asked → on approval, the interaction ends
 * with a Grant of exactly what the holder granted on the phone. "Scan a QR code instead" runs a claims-only session.
 */
@ApiExcludeController()
@Controller()
export class InteractionController {
  private readonly logger = new Logger(InteractionController.name);
  private readonly csrfKey: Buffer;

  constructor(
    private readonly host: OidcProviderHost,
    private readonly sessions: SessionService,
    private readonly services: ServiceRegistry,
    private readonly store: EphemeralStore,
    private readonly links: AccountLinks,
    config: AppConfig,
  ) {
    this.csrfKey = deriveKey(config.masterSecret, 'IDToken/v1/interaction-csrf');
  }

  @Get('interaction-assets/style.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  style(): string {
    return STYLE_CSS;
  }

  @Get('interaction-assets/wait.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  script(): string {
    return WAIT_JS;
  }

  @Get('interaction/:uid')
  async show(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const details = await this.details(uid, request, reply);
    await this.store.delete(sessionKey(uid));
    await this.renderIdentifier(uid, details, request, reply);
  }

  @Post('interaction/:uid/login')
  async login(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const details = await this.details(uid, request, reply);
    const form = this.form(uid, request);
    const identifier = (form.tokenId ?? '').trim();
    // The tokenId itself, or an alias (username or email) an admin linked to it for this service.
    const tokenId = UUID.test(identifier)
      ? identifier.toLowerCase()
      : ((await this.links.findTokenIdByAlias(details.clientId, identifier)) ?? identifier);
    try {
      const started = await this.sessions.initiateOnBehalf({
        serviceId: details.clientId,
        tokenId,
        scopes: identityScopesFor(details.scopes, details.requestedClaims),
        ip: request.ip,
      });
      await this.remember(uid, started);
      await reply.redirect(`${INTERACTION_PATH}/${uid}/wait`, 303);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await this.renderIdentifier(
        uid,
        details,
        request,
        reply,
        identifierErrorText(error.code, lang(details, request)),
      );
    }
  }

  @Post('interaction/:uid/qr')
  async qr(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const details = await this.details(uid, request, reply);
    this.form(uid, request);
    const started = await this.sessions.initiateOnBehalf({
      serviceId: details.clientId,
      scopes: identityScopesFor(details.scopes, details.requestedClaims),
      ip: request.ip,
    });
    await this.remember(uid, started);
    await reply.redirect(`${INTERACTION_PATH}/${uid}/wait`, 303);
  }

  @Get('interaction/:uid/wait')
  async wait(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const details = await this.details(uid, request, reply);
    const session = await this.recall(uid);
    if (!session) return this.restart(uid, reply);
    const qrPng = session.qr
      ? await QRCode.toDataURL(session.qr, { type: 'image/png', errorCorrectionLevel: 'M', margin: 4, scale: 6 })
      : undefined;
    await page(
      reply,
      waitPage({
        lang: lang(details, request),
        socket: { sessionId: session.sessionId, wsToken: session.wsToken },
        statusUrl: `${INTERACTION_PATH}/${uid}/status`,
        completeUrl: `${INTERACTION_PATH}/${uid}/complete`,
        cancelAction: `${INTERACTION_PATH}/${uid}/cancel`,
        csrf: this.csrf(uid),
        expiresAt: session.expiresAt,
        otp: session.otp,
        qrPng,
      }),
    );
  }

  @Get('interaction/:uid/status')
  async status(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.details(uid, request, reply);
    const session = await this.recall(uid);
    const { status } = await this.stateOf(session);
    await reply.header('cache-control', 'no-store').send({ status });
  }

  @Get('interaction/:uid/complete')
  async complete(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const details = await this.details(uid, request, reply);
    const session = await this.recall(uid);
    if (!session) return this.restart(uid, reply);
    // The approval is read first: the session's other records are needed only to say why there is none. (The
    // session and its wsToken come from this interaction's own record, not from the browser.)
    const approval = await this.sessions.approvalOf(session.sessionId);
    if (!approval) {
      const state = await this.stateOf(session);
      if (state.status === 'pending') return void (await reply.redirect(`${INTERACTION_PATH}/${uid}/wait`, 303));
      const reason: EndReason = state.status === 'rejected' ? (state.reason ?? 'denied') : 'expired';
      return page(
        reply,
        endedPage({
          lang: lang(details, request),
          reason,
          retryUrl: `${INTERACTION_PATH}/${uid}`,
          cancelAction: `${INTERACTION_PATH}/${uid}/cancel`,
          csrf: this.csrf(uid),
        }),
      );
    }
    await this.store.delete(sessionKey(uid));
    const provider = await this.host.provider();
    // The account link matters only to a client that asked for the email or cannot do without one.
    const emailRequired = await this.requiresEmail(details.clientId);
    const link =
      emailRequired || details.scopes.includes('email')
        ? await this.links.get(details.clientId, approval.tokenId)
        : undefined;
    if (!link?.email && emailRequired) {
      return this.finish(request, reply, {
        error: 'access_denied',
        error_description: 'This service needs an email address, and none is linked to this IDToken identity',
      });
    }
    // A new Grant every time: one made for another holder or with earlier refusals must not carry over.
    const grant = new provider.Grant({ accountId: approval.tokenId, clientId: details.clientId });
    grantApproval(grant, { scopes: details.scopes, claims: details.requestedClaims }, approval, {
      emailLinked: Boolean(link?.email),
    });
    const grantId = await grant.save();
    await this.finish(request, reply, {
      login: {
        accountId: approval.tokenId,
        acr: `http://eidas.europa.eu/LoA/${approval.trustLevel}`,
        amr: [...SESSION_AMR_VALUES],
        ts: approval.approvedAt,
      },
      consent: { grantId },
    });
  }

  @Post('interaction/:uid/cancel')
  async cancel(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.details(uid, request, reply);
    this.form(uid, request);
    await this.store.delete(sessionKey(uid));
    await this.finish(request, reply, { error: 'access_denied', error_description: 'The user cancelled the sign-in' });
  }

  /** Ends the interaction: oidc-provider answers the browser itself (a redirect back to the authorization). */
  private async finish(
    request: FastifyRequest,
    reply: FastifyReply,
    result: Parameters<Provider['interactionFinished']>[2],
  ): Promise<void> {
    const provider = await this.host.provider();
    reply.hijack();
    try {
      await provider.interactionFinished(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    } catch (error) {
      // The reply is ours now: answer rather than leave the browser waiting.
      this.logger.error(`interaction could not finish: ${(error as Error).message}`);
      if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      reply.raw.end('The sign-in could not be completed. Start again from the application.');
    }
  }

  /** The interaction behind the cookie; oidc-provider refuses an unknown or foreign one (SessionNotFound). */
  private async details(uid: string, request: FastifyRequest, reply: FastifyReply) {
    const provider = await this.host.provider();
    const details = await provider.interactionDetails(request.raw, reply.raw).catch((error: unknown) => {
      // No interaction cookie, another browser's, or expired: nothing to resume here.
      if (error instanceof Error && error.name === 'SessionNotFound') {
        throw new DomainError('session_not_found', 'This sign-in has expired or was not started in this browser');
      }
      throw error;
    });
    // The cookie names this browser's interaction; a path naming another one (someone else's uid) is refused.
    if (details.uid !== uid) {
      throw new DomainError('session_not_found', 'This sign-in has expired or was not started in this browser');
    }
    const params = details.params as Record<string, string | undefined>;
    return {
      uid: details.uid,
      clientId: String(params.client_id),
      scopes: (params.scope ?? '').split(' ').filter(Boolean),
      loginHint: params.login_hint,
      uiLocales: params.ui_locales,
      requestedClaims: claimsParameterNames(params.claims),
    };
  }

  private async renderIdentifier(
    uid: string,
    details: Awaited<ReturnType<InteractionController['details']>>,
    request: FastifyRequest,
    reply: FastifyReply,
    error?: string,
  ): Promise<void> {
    const service = await this.services.getActive(details.clientId).catch(() => undefined);
    await page(
      reply,
      identifierPage({
        lang: lang(details, request),
        action: `${INTERACTION_PATH}/${uid}/login`,
        qrAction: `${INTERACTION_PATH}/${uid}/qr`,
        cancelAction: `${INTERACTION_PATH}/${uid}/cancel`,
        csrf: this.csrf(uid),
        clientName: service?.name ?? details.clientId,
        scopes: details.scopes.filter((scope) => scope !== 'openid'),
        loginHint: details.loginHint,
        error,
      }),
      error ? 400 : 200,
    );
  }

  /** The session's state; once the store has forgotten it (two minutes after its end), it reads as expired. */
  private async stateOf(session: InteractionSession | undefined): Promise<SessionStatusAnswer> {
    if (!session) return { status: 'expired' };
    try {
      return await this.sessions.status(session.sessionId, session.wsToken);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'session_not_found') return { status: 'expired' };
      throw error;
    }
  }

  private async requiresEmail(clientId: string): Promise<boolean> {
    const service = await this.services.getActive(clientId).catch(() => undefined);
    return (service?.oidc as { requireEmail?: boolean } | null | undefined)?.requireEmail === true;
  }

  private async remember(
    uid: string,
    started: { sessionId: string; wsToken: string; expiresAt: string; autoPassword?: string; qr?: string },
  ): Promise<void> {
    const session: InteractionSession = {
      sessionId: started.sessionId,
      wsToken: started.wsToken,
      expiresAt: started.expiresAt,
      ...(started.autoPassword ? { otp: started.autoPassword } : {}),
      ...(started.qr ? { qr: started.qr } : {}),
    };
    await this.store.put(sessionKey(uid), JSON.stringify(session), INTERACTION_TTL_MS);
  }

  private async recall(uid: string): Promise<InteractionSession | undefined> {
    const json = await this.store.get(sessionKey(uid));
    return json ? (JSON.parse(json) as InteractionSession) : undefined;
  }

  private async restart(uid: string, reply: FastifyReply): Promise<void> {
    await reply.redirect(`${INTERACTION_PATH}/${uid}`, 303);
  }

  private csrf(uid: string): string {
    return createHmac('sha256', this.csrfKey).update(uid).digest('base64url');
  }

  /** The form fields of a POST, after its CSRF token was checked (bound to the interaction). */
  private form(uid: string, request: FastifyRequest): Record<string, string | undefined> {
    const body = (request.body ?? {}) as Record<string, string | undefined>;
    const presented = Buffer.from(String(body.csrf ?? ''));
    const expected = Buffer.from(this.csrf(uid));
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      throw new DomainError('invalid_request', 'The form is not from this sign-in (CSRF token)');
    }
    return body;
  }
}

const sessionKey = (uid: string): string => `oidc-interaction:${uid}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The claim names of an OIDC `claims` request parameter (its userinfo and id_token members). */
function claimsParameterNames(claims: unknown): string[] {
  let parsed: unknown = claims;
  if (typeof claims === 'string') {
    try {
      parsed = JSON.parse(claims);
    } catch {
      return [];
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return [];
  const members = parsed as { userinfo?: object; id_token?: object };
  return [...new Set([...Object.keys(members.userinfo ?? {}), ...Object.keys(members.id_token ?? {})])];
}

function lang(details: { uiLocales?: string }, request: FastifyRequest): Lang {
  const accept = request.headers['accept-language'];
  return chooseLang(details.uiLocales, typeof accept === 'string' ? accept : undefined);
}

async function page(reply: FastifyReply, html: string, status = 200): Promise<void> {
  await reply.status(status).headers(pageHeaders()).send(html);
}
