import { Injectable } from '@nestjs/common';
import { DeviceRequestVerifier, type DeviceEnvelope } from '#idtoken/enrollment';
import { DomainError } from '#idtoken/platform';
import type { InitiateAnswer, InitiateInput, OnBehalfInput } from './initiate/initiate-answer.js';
import { InitiateFlow } from './initiate/initiate.flow.js';
import { SessionMetrics } from './session-metrics.js';
import { SessionOutcomes } from './session-outcomes.js';
import { SessionStore } from './session.store.js';
import type { SessionApproval } from './session-record.js';
import { sessionStatus, type SessionStatusAnswer } from './status/session-status.js';
import { liveSession, tokenIdMatches, type VerifyRequest } from './verify/verify-checks.js';
import { VerifyFlow } from './verify/verify.flow.js';

/** The X.1280 session operations of spec §6.1, §6.2 and the §6.4 fallback. */
@Injectable()
export class SessionService {
  constructor(
    private readonly initiateFlow: InitiateFlow,
    private readonly verifyFlow: VerifyFlow,
    private readonly deviceRequests: DeviceRequestVerifier,
    private readonly sessions: SessionStore,
    private readonly outcomes: SessionOutcomes,
    private readonly metrics: SessionMetrics,
  ) {}

  initiate(input: InitiateInput): Promise<InitiateAnswer> {
    return this.initiateFlow.initiate(input);
  }

  /** For the OIDC and SAML facades: a session for a client their own protocol identified (see InitiateFlow). */
  initiateOnBehalf(input: OnBehalfInput) {
    return this.initiateFlow.initiateOnBehalf(input);
  }

  /** What the holder approved, once a session is approved (the facades finish their protocol with it). */
  async approvalOf(sessionId: string): Promise<SessionApproval | undefined> {
    const result = await this.sessions.readResult(sessionId);
    return result?.status === 'approved' ? result.approval : undefined;
  }

  async verify(request: VerifyRequest, context: { requestId?: string; ip?: string }) {
    const stop = this.metrics.verifyDuration.startTimer();
    try {
      const answer = await this.verifyFlow.verify(request, context);
      stop({ result: 'approved' });
      return answer;
    } catch (error) {
      stop({ result: error instanceof DomainError ? error.code : 'error' });
      throw error;
    }
  }

  /** spec §6.2 `POST /auth/deny` (device-signed, action `deny`, fields `{sessionId}`): `rejected {reason: "denied"}`. */
  async deny(
    sessionId: string,
    envelope: DeviceEnvelope,
    context: { requestId?: string; ip?: string },
  ): Promise<{ status: 'rejected'; reason: 'denied' }> {
    const enrollment = await this.deviceRequests.verify('deny', envelope, { sessionId });
    tokenIdMatches(await liveSession(this.sessions, sessionId), enrollment.tokenId);
    const taken = await this.sessions.takeSessionOnce(sessionId);
    if (!taken) throw new DomainError('session_not_found', 'The session has just ended');
    await this.outcomes.reject(taken, 'denied', { tokenId: enrollment.tokenId, keyId: enrollment.keyId, ...context });
    return { status: 'rejected', reason: 'denied' };
  }

  /** spec §6.4 fallback: `GET /auth/sessions/{sessionId}` with `Bearer <wsToken>`. */
  async status(sessionId: string, wsToken: string, now: Date = new Date()): Promise<SessionStatusAnswer> {
    const [result, session, ticket] = await Promise.all([
      this.sessions.readResult(sessionId),
      this.sessions.readSession(sessionId),
      this.sessions.readTicket(sessionId),
    ]);
    return sessionStatus({ result, session, ticket }, wsToken, now);
  }
}
