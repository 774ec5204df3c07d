import { Injectable } from '@nestjs/common';
import { AuditTrail } from '#idtoken/audit';
import type { RejectionReason, SessionRecord } from './session-record.js';
import { SessionStore } from './session.store.js';

/** Who acted on a session and the request it came with, for the audit trail. */
export interface SessionActor {
  tokenId: string;
  keyId: string;
  requestId?: string;
  ip?: string;
}

/** The ends of a session other than approval: the result for the poller, the event for the browser, the audit row. */
@Injectable()
export class SessionOutcomes {
  constructor(
    private readonly sessions: SessionStore,
    private readonly audit: AuditTrail,
  ) {}

  /** spec §6.2 / §6.4: `rejected {reason}` — denied by the holder, or the third failed check. */
  async reject(session: SessionRecord, reason: RejectionReason, actor: SessionActor): Promise<void> {
    await this.audit.record({
      type: reason === 'denied' ? 'session.denied' : 'session.locked',
      actor: `device:${actor.keyId}`,
      subject: actor.tokenId,
      requestId: actor.requestId,
      ip: actor.ip,
      data: { sessionId: session.sessionId, serviceId: session.serviceId, reason },
    });
    // Transactions, then events: the result and the event go out after the audit row is written.
    await this.sessions.saveResult(session.sessionId, { status: 'rejected', wsToken: session.wsToken, reason });
    await this.sessions.publish({ type: 'rejected', sessionId: session.sessionId, reason });
  }
}
