import { Controller, Get, Header, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { AppConfig, MetricsRegistry, RateLimiter } from '#idtoken/platform';
import { SamlRequestRefused } from '../hardening/index.js';
import { SamlIdp } from '../idp/saml-idp.js';
import { SAML_PATHS } from '../saml-paths.js';
import { SamlLogin } from '../sso/saml-login.service.js';
import { SamlRequestIntake, type SamlBinding } from '../sso/saml-request-intake.js';
import { SamlLogout } from '../slo/saml-logout.service.js';
import { AUTOPOST_JS, autoPostPage } from './saml-pages.js';
import { browserOf, inboundOf, langOf, sendPage, sendRefused } from './saml-http.js';

/**
 * The SAML IdP's protocol endpoints (docs/saml.md): metadata, SSO and SLO for the HTTP-Redirect and HTTP-POST
 * bindings, and IdP-initiated SSO. Every inbound request goes through SamlRequestIntake first.
 */
@ApiExcludeController()
@Controller()
export class SamlSsoController {
  constructor(
    private readonly idp: SamlIdp,
    private readonly intake: SamlRequestIntake,
    private readonly login: SamlLogin,
    private readonly logout: SamlLogout,
    private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
    metrics: MetricsRegistry,
  ) {
    this.requests = new Counter({
      name: 'idtoken_saml_requests_total',
      help: 'SAML SSO and SLO requests, by endpoint and outcome (accepted, or the refusal reason)',
      labelNames: ['endpoint', 'outcome'],
      registers: [metrics.registry],
    });
  }

  private readonly requests: Counter<'endpoint' | 'outcome'>;

  /** Per client IP: every request costs an XSD validation and may hold a pending login for minutes. */
  private limit(request: FastifyRequest): Promise<void> {
    return this.limiter.consume(`saml:${request.ip}`, this.config.samlRateLimitPerMinute, 60_000);
  }

  @Get(SAML_PATHS.metadata)
  async metadata(@Query('signed') signed: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const xml = await this.idp.metadata({ signed: signed === 'true' || signed === '1' });
    await reply
      .header('content-type', 'application/samlmetadata+xml; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(xml);
  }

  @Get('saml/assets/autopost.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  autopost(): string {
    return AUTOPOST_JS;
  }

  @Get(SAML_PATHS.sso)
  ssoRedirect(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.sso('redirect', request, reply);
  }

  @Post(SAML_PATHS.sso)
  ssoPost(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.sso('post', request, reply);
  }

  /** IdP-initiated SSO: the holder starts at IDToken and lands at the SP's default ACS (only if the SP allows it). */
  @Get(`${SAML_PATHS.idpInitiated}/:serviceId`)
  async unsolicited(
    @Param('serviceId') serviceId: string,
    @Query('RelayState') relayState: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.limit(request);
    const state = typeof relayState === 'string' && Buffer.byteLength(relayState) <= 80 ? relayState : undefined;
    const { uid } = await this.login.beginUnsolicited(serviceId, state, this.browser(request, reply));
    await reply.redirect(`${SAML_PATHS.interaction}/${uid}`, 303);
  }

  @Get(SAML_PATHS.slo)
  sloRedirect(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.slo('redirect', request, reply);
  }

  @Post(SAML_PATHS.slo)
  sloPost(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.slo('post', request, reply);
  }

  private async sso(binding: SamlBinding, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    await this.limit(request);
    try {
      const verified = await this.intake.accept(
        inboundOf(request, binding),
        'AuthnRequest',
        this.idp.url(SAML_PATHS.sso),
      );
      const started = await this.login.begin(verified, this.browser(request, reply));
      this.requests.inc({ endpoint: 'sso', outcome: 'accepted' });
      if ('refusal' in started) {
        return sendPage(reply, autoPostPage(started.refusal, langOf(request)), 200, started.refusal.action);
      }
      await reply.redirect(`${SAML_PATHS.interaction}/${started.uid}`, 303);
    } catch (error) {
      if (error instanceof SamlRequestRefused) return this.refused('sso', error, request, reply);
      throw error;
    }
  }

  private async slo(binding: SamlBinding, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    await this.limit(request);
    try {
      const verified = await this.intake.accept(
        inboundOf(request, binding),
        'LogoutRequest',
        this.idp.url(SAML_PATHS.slo),
      );
      const answer = await this.logout.answer(verified, binding);
      this.requests.inc({ endpoint: 'slo', outcome: 'accepted' });
      if (answer.redirect) return void (await reply.redirect(answer.redirect, 303));
      await sendPage(reply, autoPostPage(answer.post, langOf(request)), 200, answer.post.action);
    } catch (error) {
      if (error instanceof SamlRequestRefused) return this.refused('slo', error, request, reply);
      throw error;
    }
  }

  private refused(endpoint: string, error: SamlRequestRefused, request: FastifyRequest, reply: FastifyReply) {
    // Reasons are the intake's fixed codes: a bounded label.
    this.requests.inc({ endpoint, outcome: error.reason });
    return sendRefused(request, reply, error);
  }

  private browser(request: FastifyRequest, reply: FastifyReply): string {
    return browserOf(request, reply, this.config.issuerUrl.startsWith('https:'));
  }
}
