import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ENROLLMENT_REVOKED_CHANNEL } from '#idtoken/enrollment';
import { EphemeralStore, HeldSubscription } from '#idtoken/platform';
import { SessionOutcomes } from './session-outcomes.js';
import type { SessionRecord } from './session-record.js';
import { SessionStore } from './session.store.js';

/** How long after its expiry a session's open mark is taken: lets a verify that won at 59.9 s finish first. */
const EXPIRY_SWEEP_DELAY_MS = 2_000;

/**
 * The ends of a session that no request causes:
 *  - **expiry**: the node that opened a session sweeps it once its 60 s passed; if nobody ended it (its open mark
 *    is still there), the `session.expired` audit row is written — exactly once, whichever node tries. A node that
 *    stops before the sweep leaves that row unwritten (the session still expires in the store; docs/operations.md).
 *  - **revocation** (spec §4, §6.4): every node hears `enrollment:revoked`; the holder's pending sessions are taken
 *    (exactly one node wins each) and end with `rejected {reason: "revoked"}`.
 */
@Injectable()
export class SessionLifecycle implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionLifecycle.name);
  private readonly revocations: HeldSubscription;
  private readonly sweeps = new Map<string, NodeJS.Timeout>();
  /** Revocation handlers still running: finished before the store and the database close. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly sessions: SessionStore,
    private readonly outcomes: SessionOutcomes,
    store: EphemeralStore,
  ) {
    this.revocations = new HeldSubscription(
      store,
      ENROLLMENT_REVOKED_CHANNEL,
      (message) => {
        const work = this.onRevoked(message);
        this.running.add(work);
        void work.finally(() => this.running.delete(work));
      },
      { onRetry: (channel) => this.logger.warn(`${channel} subscription failed; retrying`) },
    );
  }

  onModuleInit(): void {
    this.revocations.start();
  }

  async onModuleDestroy(): Promise<void> {
    for (const timer of this.sweeps.values()) clearTimeout(timer);
    this.sweeps.clear();
    await this.revocations.stop();
    await Promise.allSettled([...this.running]);
  }

  /** Called when a session opens on this node. */
  scheduleExpiry(session: SessionRecord): void {
    const delay = Math.max(0, session.expiresAt * 1000 - Date.now()) + EXPIRY_SWEEP_DELAY_MS;
    const timer = setTimeout(() => {
      this.sweeps.delete(session.sessionId);
      void this.sweepExpired(session);
    }, delay);
    timer.unref();
    this.sweeps.set(session.sessionId, timer);
  }

  /** Writes the expiry if nobody ended the session; exported for tests that control the clock. */
  async sweepExpired(session: SessionRecord, now: Date = new Date()): Promise<boolean> {
    try {
      if (!(await this.sessions.closeSession(session.sessionId))) return false;
      await this.outcomes.expire(session, now);
      return true;
    } catch (error) {
      this.logger.warn(`expiry of ${session.sessionId} not recorded: ${(error as Error).message}`);
      return false;
    }
  }

  private async onRevoked(message: string): Promise<void> {
    let revoked: { tokenId?: unknown };
    try {
      revoked = JSON.parse(message) as { tokenId?: unknown };
    } catch {
      return;
    }
    if (typeof revoked.tokenId !== 'string') return;
    try {
      await this.endSessionsOf(revoked.tokenId);
    } catch (error) {
      // The verify check (enrollment active) still refuses these sessions; only the early browser notice is lost.
      this.logger.warn(`pending sessions of a revoked tokenId not ended: ${(error as Error).message}`);
    }
  }

  /** Ends every pending session of `tokenId` with `rejected {revoked}`; returns how many this node ended. */
  async endSessionsOf(tokenId: string): Promise<number> {
    let ended = 0;
    for (const sessionId of await this.sessions.recentSessionsOf(tokenId)) {
      const session = await this.sessions.takeSessionOnce(sessionId);
      if (!session) continue;
      await this.outcomes.revoke(session, 'system:revocation');
      ended += 1;
    }
    return ended;
  }
}
