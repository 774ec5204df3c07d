import { Injectable } from '@nestjs/common';
import type { AtomicScope } from '#idtoken/claims';
import { EnrollmentRepository } from '#idtoken/enrollment';
import { AppConfig, DomainError, RateLimiter } from '#idtoken/platform';
import { ServiceRegistry, TrustBindings, type ServiceEntity } from '#idtoken/services';
import { TrustStore } from '#idtoken/trust';
import { SERVICE_MANIFEST, VdsError, verifyVds } from '#idtoken/vds';
import { deriveOtp, deriveWsToken, newSessionId, newSessionRandom } from '../derivation/index.js';
import { SESSION_TTL_SECONDS, type SessionRecord } from '../session-record.js';
import { SessionStore } from '../session.store.js';
import { claimsOnlyQr } from './claims-only-qr.js';
import type { InitiateAnswer, InitiateInput } from './initiate-answer.js';
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
  type InitiatePorts,
  type ServiceReference,
} from './initiate-checks.js';
import { parseBasicCredential } from './service-credential.js';

/** spec §6.1 `POST /auth/initiate`: the checks in the spec's order, then a new session. */
@Injectable()
export class InitiateFlow {
  private readonly ports: InitiatePorts;

  constructor(
    rateLimiter: RateLimiter,
    services: ServiceRegistry,
    enrollments: EnrollmentRepository,
    trustBindings: TrustBindings,
    private readonly trust: TrustStore,
    private readonly sessions: SessionStore,
    private readonly config: AppConfig,
  ) {
    const serviceIdOfVds = (serviceVds: string, now: Date) => this.serviceIdOfVds(serviceVds, now);
    this.ports = { rateLimiter, services, serviceIdOfVds, enrollments, trustBindings, sessions };
  }

  async initiate(input: InitiateInput, now: Date = new Date()): Promise<InitiateAnswer> {
    const ports = this.ports;
    await withinRateLimit(ports, input.ip);
    const authenticatedServiceId = await authenticateService(ports, parseBasicCredential(input.authorization));
    const reference = exactlyOneServiceReference(input);
    const service = await knownService(ports, reference, now);
    authenticatedUnlessPublic(service, authenticatedServiceId);
    if (input.tokenId !== undefined) {
      await activeEnrollment(ports, input.tokenId, now);
      await notLockedOut(ports, input.tokenId);
      await trustedWhenRequired(ports, service, input.tokenId);
    }
    const scopes = scopesWithinAllowed(service, input.scopes);
    return this.open(service, reference, input.tokenId, scopes, now);
  }

  /** spec §6.1 "Then": sessionId, random, otp, wsToken, stored for 60 s. */
  private async open(
    service: ServiceEntity,
    reference: ServiceReference,
    tokenId: string | undefined,
    scopes: AtomicScope[],
    now: Date,
  ): Promise<InitiateAnswer> {
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
      tokenLifetimeSeconds: service.tokenLifetimeSeconds,
      scopes,
      otp,
      random,
      wsToken,
      expiresAt,
      createdAt,
    };
    await this.sessions.saveSession(session);
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
      const verified = await verifyVds(serviceVds, { trust: this.trust, now, expectedManifestId: SERVICE_MANIFEST });
      return verified.payload.sid;
    } catch (error) {
      if (error instanceof VdsError) throw new DomainError(error.code, error.detail);
      throw error;
    }
  }
}
