import { Injectable } from '@nestjs/common';
import { AuditTrail } from '#idtoken/audit';
import { EnrollmentRepository, type EnrollmentEntity } from '#idtoken/enrollment';
import { DomainError } from '#idtoken/platform';
import { approvalHash } from '../derivation/index.js';
import type { SessionRecord } from '../session-record.js';
import { SessionOutcomes, type SessionActor } from '../session-outcomes.js';
import { SessionMetrics } from '../session-metrics.js';
import { SessionStore } from '../session.store.js';
import { SessionTokenIssuer } from '../token/session-token.issuer.js';
import {
  activeEnrollment,
  equalOtp,
  freshTimestamp,
  grantWithinSession,
  liveSession,
  tokenIdMatches,
  validSignature,
  type VerifyRequest,
} from './verify-checks.js';

/** spec §6.2: the third failed check in a session ends it. */
export const SESSION_FAILURE_LIMIT = 3;

/** Failed checks that count an attempt (spec §6.2: signature or OTP). */
const COUNTED_FAILURES = new Set(['invalid_signature', 'invalid_otp']);

/** spec §6.2 `POST /auth/verify`: the checks in the spec's order, then the session is taken once and approved. */
@Injectable()
export class VerifyFlow {
  constructor(
    private readonly sessions: SessionStore,
    private readonly enrollments: EnrollmentRepository,
    private readonly tokens: SessionTokenIssuer,
    private readonly outcomes: SessionOutcomes,
    private readonly audit: AuditTrail,
    private readonly metrics: SessionMetrics,
  ) {}

  async verify(
    request: VerifyRequest,
    context: { requestId?: string; ip?: string },
    now: Date = new Date(),
  ): Promise<{ status: 'approved'; expiresAt: string }> {
    const session = await liveSession(this.sessions, request.sessionId);
    tokenIdMatches(session, request.tokenId);
    const enrollment = await activeEnrollment(this.enrollments, request.tokenId, now);
    freshTimestamp(request.timestamp, now);
    const actor: SessionActor = { tokenId: enrollment.tokenId, keyId: enrollment.keyId, ...context };
    await this.countingFailures(session, actor, () => {
      validSignature(enrollment, request);
      equalOtp(session, request.otp);
    });
    const grant = grantWithinSession(session, request.grantedScopes);
    // spec §6.2: exactly one of any number of concurrent verifies takes the session; the others find nothing.
    const taken = await this.sessions.takeSessionOnce(session.sessionId);
    if (!taken) throw new DomainError('session_not_found', 'The session has just ended');
    return this.approve(taken, enrollment, grant, request, actor, now);
  }

  /**
   * spec §6.2: every failed signature or OTP check counts, per session and per tokenId; the third ends the session.
   * One exception (docs/decisions.md, "Failed signatures in claims-only sessions"): a claims-only session is bound to
   * no tokenId, so a bad signature there names a holder nobody proved to be — counting it would let anyone with a
   * claims-only sessionId lock any known tokenId out for 24 h. It counts for the session only.
   */
  private async countingFailures(session: SessionRecord, actor: SessionActor, checks: () => void): Promise<void> {
    try {
      checks();
    } catch (error) {
      if (!(error instanceof DomainError) || !COUNTED_FAILURES.has(error.code)) throw error;
      // A bad signature proves nobody: the sender is not the device, whose key id is only what was claimed.
      const signed = error.code !== 'invalid_signature';
      const countsForHolder = signed || session.tokenId !== undefined;
      const [failures] = await Promise.all([
        this.sessions.countSessionFailure(session.sessionId),
        countsForHolder ? this.sessions.countTokenFailure(actor.tokenId) : undefined,
      ]);
      // Each failed attempt is a security event of its own (a wrong code is how a relayed or guessed OTP shows).
      await this.audit.record({
        type: 'session.check_failed',
        actor: signed ? `device:${actor.keyId}` : 'anonymous',
        subject: actor.tokenId,
        requestId: actor.requestId,
        ip: actor.ip,
        data: {
          sessionId: session.sessionId,
          serviceId: session.serviceId,
          code: error.code,
          failures,
          ...(signed ? {} : { claimedKeyId: actor.keyId }),
        },
      });
      if (failures < SESSION_FAILURE_LIMIT) throw error;
      const ended = await this.sessions.takeSessionOnce(session.sessionId);
      if (ended) await this.outcomes.reject(ended, 'too_many_attempts', actor);
      throw new DomainError('too_many_attempts', 'Three failed checks: the session has ended');
    }
  }

  /** spec §6.2 success: a JWT (§7), its delivery (§6.4), and the consent receipt in the audit trail. */
  private async approve(
    session: SessionRecord,
    enrollment: EnrollmentEntity,
    grant: ReturnType<typeof grantWithinSession>,
    request: VerifyRequest,
    actor: SessionActor,
    now: Date,
  ): Promise<{ status: 'approved'; expiresAt: string }> {
    await this.sessions.closeSession(session.sessionId);
    this.metrics.ended.inc({ outcome: 'approved' });
    const { jwt, claims } = await this.tokens.issue(session, enrollment, grant, now);
    const hash = approvalHash(session.wsToken, session.sessionId, session.random, jwt);
    const expiresAt = new Date(claims.exp * 1000).toISOString();
    await this.audit.record({
      type: 'session.approved',
      actor: `device:${actor.keyId}`,
      subject: actor.tokenId,
      requestId: actor.requestId,
      ip: actor.ip,
      // The consent receipt. The OTP stays out; with MASTER, sessionId and random re-derive it to re-check the
      // signature over `sessionId|otp|timestamp|scopes`.
      data: {
        sessionId: session.sessionId,
        serviceId: session.serviceId,
        tokenId: actor.tokenId,
        claimsOnly: session.tokenId === undefined,
        requestedScopes: session.scopes,
        grantedScopes: grant.granted,
        random: session.random,
        deviceSignatureDer: request.signatureBase64,
        deviceTimestamp: request.timestamp,
        initiatedAt: new Date(session.createdAt * 1000).toISOString(),
        approvedAt: now.toISOString(),
        jti: claims.jti,
        tokenExpiresAt: expiresAt,
      },
    });
    await this.sessions.saveAndPublish(session, {
      status: 'approved',
      wsToken: session.wsToken,
      jwt,
      hash,
      random: session.random,
      expiresAt: claims.exp,
      approval: {
        tokenId: enrollment.tokenId,
        grantedScopes: grant.atomic,
        trustLevel: enrollment.trustLevel,
        approvedAt: claims.iat,
      },
    });
    return { status: 'approved', expiresAt };
  }
}
