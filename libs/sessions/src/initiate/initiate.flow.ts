import { Injectable } from '@nestjs/common';
import type { AtomicScope } from '#idtoken/claims';
import { EnrollmentRepository } from '#idtoken/enrollment';
import { AppConfig, DomainError, RateLimiter } from '#idtoken/platform';
import { PushDispatcher, type AuthRequestMessage } from '#idtoken/push';
import { ServiceRegistry, TrustBindings, type ServiceEntity } from '#idtoken/services';
import { TrustStore } from '#idtoken/trust';
import { SERVICE_MANIFEST, VdsError, VerifiedVdsCache, verifyVds } from '#idtoken/vds';
import { deriveOtp, deriveWsToken, newSessionId, newSessionRandom } from '../derivation/index.js';
import { SESSION_TTL_SECONDS, type SessionRecord } from '../session-record.js';
import { SessionStore } from '../session.store.js';
import { claimsOnlyQr } from './claims-only-qr.js';
import type { InitiateAnswer, InitiateInput, OnBehalfInput } from './initiate-answer.js';
import {
  activeEnrollment,
  authenticateService,
  authenticatedUnlessPublic,
  exactlyOneServiceReference,
  knownService,
  notLockedOut,
  scopesWithinAllowed,
  trustedWhenRequired,
  withinRateLimit,
  withinTokenStartLimit,
  type InitiatePorts,
  type ServiceReference,
} from './initiate-checks.js';
import { ClientAssertions } from './client-assertion.js';
import { serviceCredentialOf } from './service-credential.js';
import { SessionLifecycle } from '../session-lifecycle.js';
import { SessionMetrics } from '../session-metrics.js';

/** spec §6.3: the data-only push message, the same on every channel. */
function authRequest(session: SessionRecord, service: ServiceEntity, verified: boolean): AuthRequestMessage {
  return {
    type: 'auth_request',
    sessionId: session.sessionId,
    otp: session.otp,
    serviceId: service.serviceId,
    serviceName: service.name,
    serviceUrl: service.url,
    serviceVerified: verified ? 'true' : 'false',
    scopes: JSON.stringify(session.scopes),
    expiresAt: new Date(session.expiresAt * 1000).toISOString(),
  };
}

/** spec §6.1 `POST /auth/initiate`: the checks in the spec's order, then a new session. */
@Injectable()
export class InitiateFlow {
  private readonly ports: InitiatePorts;
  /** A relying party names itself by the same Service VDS at every initiate: its pure checks are not repeated. */
  private readonly verifiedServiceVds = new VerifiedVdsCache();

  constructor(
    rateLimiter: RateLimiter,
    services: ServiceRegistry,
    enrollments: EnrollmentRepository,
    trustBindings: TrustBindings,
    private readonly trust: TrustStore,
    private readonly sessions: SessionStore,
    private readonly config: AppConfig,
    private readonly push: PushDispatcher,
    private readonly lifecycle: SessionLifecycle,
    assertions: ClientAssertions,
    private readonly metrics: SessionMetrics,
  ) {
    const serviceIdOfVds = (serviceVds: string, now: Date) => this.serviceIdOfVds(serviceVds, now);
    const limits = { perIp: config.initiateRateLimitPerMinute, perToken: config.initiatePerTokenLimitPerMinute };
    this.ports = { rateLimiter, limits, services, assertions, serviceIdOfVds, enrollments, trustBindings, sessions };
  }

  async initiate(input: InitiateInput, now: Date = new Date()): Promise<InitiateAnswer> {
    const ports = this.ports;
    await withinRateLimit(ports, input.ip);
    const authenticatedServiceId = await authenticateService(ports, serviceCredentialOf(input));
    const reference = exactlyOneServiceReference(input);
    const service = await knownService(ports, reference, now);
    authenticatedUnlessPublic(service, authenticatedServiceId);
    const { pushToken, scopes } = await this.holderAndScopes(service, input.tokenId, input.scopes, now);
    // spec §6.3 serviceVerified: the server vouches for who asked — a verified Service VDS or an authenticated caller.
    const verified = 'serviceVds' in reference || authenticatedServiceId !== undefined;
    const browserOnly = authenticatedServiceId === undefined;
    return this.open(service, reference, { tokenId: input.tokenId, pushToken, verified, browserOnly }, scopes, now);
  }

  /**
   * A session the server starts for one of its own facades (OIDC, SAML) on behalf of a registered client: the
   * client proved nothing here — the facade's protocol identified it (a registered redirect URI or ACS) — so the
   * checks are initiate's without service authentication, and the push says the server vouches for it. Rate limits
   * count against the browser's IP, as for a direct initiate.
   */
  async initiateOnBehalf(input: OnBehalfInput, now: Date = new Date()): Promise<InitiateAnswer> {
    const ports = this.ports;
    await withinRateLimit(ports, input.ip);
    const service = await ports.services.getActive(input.serviceId);
    const { pushToken, scopes } = await this.holderAndScopes(service, input.tokenId, input.scopes, now);
    const who = {
      tokenId: input.tokenId,
      pushToken,
      verified: true,
      browserOnly: false,
      backchannel: input.backchannel,
    };
    return this.open(service, { serviceId: service.serviceId }, who, scopes, now);
  }

  /**
   * spec §6.1, after the service is known: with a tokenId, the enrollment (its push token), the lockout and the trust
   * binding; then the scopes; then the holder's start limit, counted last so only starts that open a session count.
   */
  private async holderAndScopes(
    service: ServiceEntity,
    tokenId: string | undefined,
    requested: readonly string[] | undefined,
    now: Date,
  ): Promise<{ pushToken: string | undefined; scopes: AtomicScope[] }> {
    const ports = this.ports;
    let pushToken: string | undefined;
    if (tokenId !== undefined) {
      pushToken = (await activeEnrollment(ports, tokenId, now)).pushToken ?? undefined;
      await notLockedOut(ports, tokenId);
      await trustedWhenRequired(ports, service, tokenId);
    }
    const scopes = scopesWithinAllowed(service, requested);
    if (tokenId !== undefined) await withinTokenStartLimit(ports, tokenId);
    return { pushToken, scopes };
  }

  /** spec §6.1 "Then": sessionId, random, otp, wsToken, stored for 60 s. */
  private async open(
    service: ServiceEntity,
    reference: ServiceReference,
    who: {
      tokenId: string | undefined;
      pushToken: string | undefined;
      verified: boolean;
      browserOnly: boolean;
      backchannel?: boolean;
    },
    scopes: AtomicScope[],
    now: Date,
  ): Promise<InitiateAnswer> {
    const { tokenId, pushToken, verified, browserOnly, backchannel } = who;
    const master = this.config.masterSecret;
    const createdAt = Math.floor(now.getTime() / 1000);
    const expiresAt = createdAt + SESSION_TTL_SECONDS;
    const sessionId = newSessionId();
    const random = newSessionRandom();
    // spec §6.5: a claims-only session derives its OTP with tokenId "".
    const otp = deriveOtp(master, tokenId ?? '', sessionId, random);
    const wsToken = deriveWsToken(master, sessionId, expiresAt);
    const serviceReference = 'serviceVds' in reference ? reference.serviceVds : reference.serviceId;
    const session: SessionRecord = {
      sessionId,
      ...(tokenId !== undefined ? { tokenId } : {}),
      serviceId: service.serviceId,
      serviceReference,
      ...(browserOnly ? { browserOnly: true as const } : {}),
      ...(backchannel ? { backchannel: true as const } : {}),
      tokenLifetimeSeconds: service.tokenLifetimeSeconds,
      scopes,
      otp,
      random,
      wsToken,
      expiresAt,
      createdAt,
    };
    await this.sessions.saveSession(session);
    this.lifecycle.scheduleExpiry(session);
    this.metrics.started.inc({ mode: tokenId === undefined ? 'claims_only' : 'direct' });
    // spec §6.3; a claims-only session has no device yet: its request travels in the QR.
    if (tokenId !== undefined)
      await this.push.dispatch({ tokenId, pushToken }, authRequest(session, service, verified));
    const answer = { sessionId, wsToken, random, expiresAt: new Date(expiresAt * 1000).toISOString() };
    if (tokenId !== undefined) return { ...answer, autoPassword: otp };
    const qr = claimsOnlyQr({
      sid: sessionId,
      srv: this.config.issuerUrl,
      svc: serviceReference,
      otp,
      scp: scopes,
      exp: expiresAt,
    });
    return { ...answer, qr };
  }

  /** spec §6.1: a Service VDS is verified per §2 (all steps, codes passed through) before its `sid` counts. */
  private async serviceIdOfVds(serviceVds: string, now: Date): Promise<string> {
    try {
      const verified = await verifyVds(serviceVds, {
        trust: this.trust,
        now,
        expectedManifestId: SERVICE_MANIFEST,
        cache: this.verifiedServiceVds,
      });
      return verified.payload.sid;
    } catch (error) {
      if (error instanceof VdsError) throw new DomainError(error.code, error.detail);
      throw error;
    }
  }
}
