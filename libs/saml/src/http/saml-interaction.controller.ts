import { createHmac, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { AccountLinks } from '#idtoken/accounts';
import { endedPage, identifierErrorText, identifierPage, waitPage, type EndReason } from '#idtoken/oidc';
import { AppConfig, DomainError, deriveKey } from '#idtoken/platform';
import { SessionService, type SessionStatusAnswer } from '#idtoken/sessions';
import { SAML_PATHS } from '../saml-paths.js';
import { STATUS } from '../saml-urns.js';
import { SamlLogin, type PendingLogin } from '../sso/saml-login.service.js';
import { autoPostPage } from './saml-pages.js';
import { browserCookieName, cookie, langOf, sendPage } from './saml-http.js';

const BASE = SAML_PATHS.interaction;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The SAML login's pages — the same screens as the OIDC facade's: identifier (or "scan a QR code instead") → the
 * code to match while the phone is asked → the SAML Response posted to the ACS, or a refusal status when the holder
 * declines or cancels. Each page belongs to the browser that started the login (cookie) and each form carries a
 * CSRF token bound to the login.
 */
@ApiExcludeController()
@Controller()
export class SamlInteractionController {
  private readonly csrfKey: Buffer;
  private readonly cookieName: string;

  constructor(
    private readonly login: SamlLogin,
    private readonly sessions: SessionService,
    private readonly links: AccountLinks,
    config: AppConfig,
  ) {
    this.csrfKey = deriveKey(config.masterSecret, 'IDToken/v1/saml-interaction-csrf');
    this.cookieName = browserCookieName(config.issuerUrl.startsWith('https:'));
  }

  @Get(`${BASE}/:uid`)
  async show(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const pending = await this.pending(uid, request);
    if (pending.session) await this.login.save({ ...pending, session: undefined });
    await this.renderIdentifier(pending, request, reply);
  }

  @Post(`${BASE}/:uid/login`)
  async start(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const pending = await this.pending(uid, request);
    const form = this.form(pending, request);
    const identifier = (form.tokenId ?? '').trim();
    const tokenId = UUID.test(identifier)
      ? identifier.toLowerCase()
      : ((await this.links.findTokenIdByAlias(pending.serviceId, identifier)) ?? identifier);
    try {
      await this.startSession(pending, request, tokenId);
      await reply.redirect(`${BASE}/${uid}/wait`, 303);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await this.renderIdentifier(pending, request, reply, identifierErrorText(error.code, langOf(request)));
    }
  }

  @Post(`${BASE}/:uid/qr`)
  async qr(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const pending = await this.pending(uid, request);
    this.form(pending, request);
    await this.startSession(pending, request, undefined);
    await reply.redirect(`${BASE}/${uid}/wait`, 303);
  }

  @Get(`${BASE}/:uid/wait`)
  async wait(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const pending = await this.pending(uid, request);
    const session = pending.session;
    if (!session) return void (await reply.redirect(`${BASE}/${uid}`, 303));
    const qrPng = session.qr
      ? await QRCode.toDataURL(session.qr, { type: 'image/png', errorCorrectionLevel: 'M', margin: 4, scale: 6 })
      : undefined;
    await sendPage(
      reply,
      waitPage({
        lang: langOf(request),
        socket: { sessionId: session.sessionId, wsToken: session.wsToken },
        statusUrl: `${BASE}/${uid}/status`,
        completeUrl: `${BASE}/${uid}/complete`,
        cancelAction: `${BASE}/${uid}/cancel`,
        csrf: this.csrf(pending),
        expiresAt: session.expiresAt,
        otp: session.otp,
        qrPng,
      }),
    );
  }

  @Get(`${BASE}/:uid/status`)
  async status(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const pending = await this.pending(uid, request);
    const { status } = await this.stateOf(pending);
    await reply.header('cache-control', 'no-store').send({ status });
  }

  @Get(`${BASE}/:uid/complete`)
  async complete(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const pending = await this.pending(uid, request);
    if (!pending.session) return void (await reply.redirect(`${BASE}/${uid}`, 303));
    const state = await this.stateOf(pending);
    if (state.status === 'pending') return void (await reply.redirect(`${BASE}/${uid}/wait`, 303));
    const approval =
      state.status === 'approved' ? await this.sessions.approvalOf(pending.session.sessionId) : undefined;
    if (!approval) {
      const reason: EndReason = state.status === 'rejected' ? (state.reason ?? 'denied') : 'expired';
      return sendPage(
        reply,
        endedPage({
          lang: langOf(request),
          reason,
          retryUrl: `${BASE}/${uid}`,
          cancelAction: `${BASE}/${uid}/cancel`,
          csrf: this.csrf(pending),
        }),
      );
    }
    const message = await this.login.respond(pending, approval);
    await sendPage(reply, autoPostPage(message, langOf(request)), 200, message.action);
  }

  /** The holder gives up: the SP hears AuthnFailed (saml-core §3.2.2.2), signed, at its ACS. */
  @Post(`${BASE}/:uid/cancel`)
  async cancel(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const pending = await this.pending(uid, request);
    this.form(pending, request);
    const message = await this.login.refuse(
      pending,
      STATUS.responder,
      'The user cancelled the sign-in',
      STATUS.authnFailed,
    );
    await sendPage(reply, autoPostPage(message, langOf(request)), 200, message.action);
  }

  private async startSession(pending: PendingLogin, request: FastifyRequest, tokenId: string | undefined) {
    const { service } = await this.login.settingsOf(pending.serviceId);
    const started = await this.sessions.initiateOnBehalf({
      serviceId: pending.serviceId,
      ...(tokenId === undefined ? {} : { tokenId }),
      scopes: service.defaultScopes,
      ip: request.ip,
    });
    await this.login.save({
      ...pending,
      session: {
        sessionId: started.sessionId,
        wsToken: started.wsToken,
        expiresAt: started.expiresAt,
        ...(started.autoPassword ? { otp: started.autoPassword } : {}),
        ...(started.qr ? { qr: started.qr } : {}),
      },
    });
  }

  private async renderIdentifier(
    pending: PendingLogin,
    request: FastifyRequest,
    reply: FastifyReply,
    error?: string,
  ): Promise<void> {
    const { service } = await this.login.settingsOf(pending.serviceId);
    await sendPage(
      reply,
      identifierPage({
        lang: langOf(request),
        action: `${BASE}/${pending.uid}/login`,
        qrAction: `${BASE}/${pending.uid}/qr`,
        cancelAction: `${BASE}/${pending.uid}/cancel`,
        csrf: this.csrf(pending),
        clientName: service.name,
        scopes: service.defaultScopes,
        error,
      }),
      error ? 400 : 200,
    );
  }

  private async stateOf(pending: PendingLogin): Promise<SessionStatusAnswer> {
    if (!pending.session) return { status: 'expired' };
    try {
      return await this.sessions.status(pending.session.sessionId, pending.session.wsToken);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'session_not_found') return { status: 'expired' };
      throw error;
    }
  }

  private pending(uid: string, request: FastifyRequest): Promise<PendingLogin> {
    return this.login.pending(uid, cookie(request, this.cookieName));
  }

  /** The CSRF token: bound to the login and to the browser's cookie value. */
  private csrf(pending: PendingLogin): string {
    return createHmac('sha256', this.csrfKey).update(`${pending.uid}\n${pending.browser}`).digest('base64url');
  }

  private form(pending: PendingLogin, request: FastifyRequest): Record<string, string | undefined> {
    const body = (request.body ?? {}) as Record<string, string | undefined>;
    const presented = Buffer.from(String(body.csrf ?? ''));
    const expected = Buffer.from(this.csrf(pending));
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      throw new DomainError('invalid_request', 'The form is not from this sign-in (CSRF token)');
    }
    return body;
  }
}
