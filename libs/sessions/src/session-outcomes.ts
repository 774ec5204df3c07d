import { Injectable } from '@nestjs/common';
import { AuditTrail } from '#idtoken/audit';
import type { RejectionReason, SessionRecord } from './session-record.js';
import { SessionMetrics } from './session-metrics.js';
import { SessionStore } from './session.store.js';

/** Who acted on a session and the request it came with, for the audit trail. */
export interface SessionActor {
  tokenId: string;
  keyId: string;
  requestId?: string;
  ip?: string;
}

const REJECTION_EVENTS: Record<RejectionReason, string> = {
  denied: 'session.denied',
  too_many_attempts: 'session.locked',
  revoked: 'session.revoked',
};

/**
 * The ends of a session other than approval: the result for the poller, the event for the browser, the audit row.
 * Each is written once: by whoever took the session, or — for expiry — by whoever took its open mark.
 */
@Injectable()
export class SessionOutcomes {
  constructor(
    private readonly sessions: SessionStore,
    private readonly audit: AuditTrail,
    private readonly metrics: SessionMetrics,
  ) {}

  /** spec §6.2 / §6.4: `rejected {reason}` — denied by the holder, or the third failed check. */
  async reject(session: SessionRecord, reason: 'denied' | 'too_many_attempts', actor: SessionActor): Promise<void> {
    await this.recordRejection(session, reason, {
      actor: `device:${actor.keyId}`,
      subject: actor.tokenId,
      requestId: actor.requestId,
      ip: actor.ip,
    });
  }

  /** spec §6.4 `rejected {reason: "revoked"}`: the enrollment was revoked while the session was pending. */
  async revoke(session: SessionRecord, revokedBy: string): Promise<void> {
    await this.recordRejection(session, 'revoked', { actor: revokedBy, subject: session.tokenId });
  }

  /** The 60 s passed with no answer: the audit row (the browser learns `expired` from its own timer or poll). */
  async expire(session: SessionRecord, now: Date = new Date()): Promise<void> {
    this.metrics.ended.inc({ outcome: 'expired' });
    await this.audit.record({
      type: 'session.expired',
      actor: 'system',
      subject: session.tokenId,
      data: {
        sessionId: session.sessionId,
        serviceId: session.serviceId,
        claimsOnly: session.tokenId === undefined,
        requestedScopes: session.scopes,
        initiatedAt: new Date(session.createdAt * 1000).toISOString(),
        expiredAt: new Date(session.expiresAt * 1000).toISOString(),
        recordedAt: now.toISOString(),
      },
    });
  }

  private async recordRejection(
    session: SessionRecord,
    reason: RejectionReason,
    by: { actor: string; subject?: string; requestId?: string; ip?: string },
  ): Promise<void> {
    await this.sessions.closeSession(session.sessionId);
    this.metrics.ended.inc({ outcome: reason });
    try {
      await this.audit.record({
        type: REJECTION_EVENTS[reason],
        ...by,
        data: { sessionId: session.sessionId, serviceId: session.serviceId, reason },
      });
    } finally {
      // The session is already taken: whatever happened to the audit write, the browser and the poller must learn
      // its end (an audit failure still fails the request, so it is seen).
      await this.sessions.saveAndPublish(session, { status: 'rejected', wsToken: session.wsToken, reason });
    }
  }
}
