import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { AccountLinks } from '#idtoken/accounts';
import { DomainError, EphemeralStore, HeldSubscription } from '#idtoken/platform';
import { SESSION_AMR_VALUES, SESSION_EVENTS_CHANNEL, SessionService, type SessionEvent } from '#idtoken/sessions';
import { grantApproval } from '../oidc-grants.js';
import { identityScopesFor } from '../oidc-scopes.js';

/** How long the link from an X.1280 session to its CIBA request is kept: the session's life and then some. */
const LINK_TTL_MS = 180_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * CIBA (docs/oidc.md "CIBA"): the authentication device leg is the X.1280 session — the phone gets the request
 * by push or inbox like any login — and the session's code is returned to the client as `binding_code`, which the
 * client shows to the user so they compare it with the phone, as a browser would show it. When the session ends,
 * whichever node hears it first (the link is taken once) completes the CIBA request with a Grant of exactly what
 * the phone granted, or with `access_denied`.
 */
@Injectable()
export class OidcCiba implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OidcCiba.name);
  private readonly events: HeldSubscription;
  private provider: (() => Promise<Provider>) | undefined;

  constructor(
    private readonly sessions: SessionService,
    private readonly store: EphemeralStore,
    private readonly links: AccountLinks,
  ) {
    this.events = new HeldSubscription(store, SESSION_EVENTS_CHANNEL, (message) => void this.onSessionEvent(message), {
      onRetry: (channel) => this.logger.warn(`${channel} subscription failed; retrying`),
    });
  }

  /** The host gives access to the current provider (it is rebuilt on key rotation). */
  attach(provider: () => Promise<Provider>): void {
    this.provider = provider;
  }

  onModuleInit(): void {
    this.events.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.events.stop();
  }

  /** `login_hint`: the holder's tokenId, or an alias (username or email) linked to it for this client. */
  async processLoginHint(ctx: KoaContextWithOIDC, loginHint?: string): Promise<string | undefined> {
    if (loginHint && UUID.test(loginHint)) return loginHint.toLowerCase();
    const clientId = ctx.oidc.client?.clientId;
    const linked = loginHint && clientId ? await this.links.findTokenIdByAlias(clientId, loginHint) : undefined;
    if (linked) return linked;
    throw new errors.InvalidRequest('login_hint must be the holder’s IDToken identifier or a linked username/email');
  }

  /** Starts the X.1280 session for the request; its code becomes the response's binding_code. */
  async triggerAuthenticationDevice(
    ctx: KoaContextWithOIDC,
    request: { jti: string; scope?: string },
    account: { accountId: string },
    client: { clientId: string },
  ): Promise<void> {
    let started;
    try {
      started = await this.sessions.initiateOnBehalf({
        serviceId: client.clientId,
        tokenId: account.accountId,
        scopes: identityScopesFor((request.scope ?? '').split(' ').filter(Boolean)),
        ip: ctx.ip,
        backchannel: true,
      });
    } catch (error) {
      if (error instanceof DomainError) {
        // Limits say so (slow_down); every other refusal (revoked, untrusted, lockout…) is access_denied. An
        // unknown tokenId never gets here: oidc-provider answers unknown_user_id when findAccount finds nothing.
        if (error.code === 'rate_limited' || error.code === 'too_many_attempts') {
          throw new errors.SlowDown('too many sign-in requests for this holder; try again later');
        }
        throw new errors.AccessDenied('this holder cannot be asked to sign in');
      }
      throw error;
    }
    await this.store.put(`ciba-session:${started.sessionId}`, request.jti, LINK_TTL_MS);
    await this.store.put(`ciba-binding:${request.jti}`, started.autoPassword ?? '', LINK_TTL_MS);
  }

  /** The code to add to the backchannel authentication response. */
  bindingCode(authReqId: string): Promise<string | undefined> {
    return this.store.get(`ciba-binding:${authReqId}`);
  }

  private async onSessionEvent(message: string): Promise<void> {
    let event: SessionEvent;
    try {
      event = JSON.parse(message) as SessionEvent;
    } catch {
      return;
    }
    // Only sessions a CIBA request started are looked up: one store call per CIBA login, none per other login.
    if (!event.backchannel) return;
    try {
      const authReqId = await this.store.take(`ciba-session:${event.sessionId}`);
      if (authReqId) await this.complete(authReqId, event);
    } catch (error) {
      this.logger.error(`CIBA request of session ${event.sessionId} not completed: ${(error as Error).message}`);
    }
  }

  private async complete(authReqId: string, event: SessionEvent): Promise<void> {
    if (!this.provider) return;
    const provider = await this.provider();
    if (event.type === 'rejected') {
      await provider.backchannelResult(authReqId, new errors.AccessDenied(`the holder’s phone: ${event.reason}`));
      return;
    }
    const approval = await this.sessions.approvalOf(event.sessionId);
    const request = await provider.BackchannelAuthenticationRequest.find(authReqId);
    if (!approval || !request?.clientId) return;
    const requested = (request.scope ?? '').split(' ').filter(Boolean);
    const grant = new provider.Grant({ accountId: approval.tokenId, clientId: request.clientId });
    const link = await this.links.get(request.clientId, approval.tokenId);
    grantApproval(grant, { scopes: requested, claims: [] }, approval, { emailLinked: Boolean(link?.email) });
    await grant.save();
    await provider.backchannelResult(request, grant, {
      acr: `http://eidas.europa.eu/LoA/${approval.trustLevel}`,
      amr: [...SESSION_AMR_VALUES],
      authTime: approval.approvedAt,
    });
  }
}
