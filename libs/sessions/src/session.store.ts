import { Injectable } from '@nestjs/common';
import { EphemeralStore } from '#idtoken/platform';
import {
  eventOfResult,
  RESULT_TTL_SECONDS,
  SESSION_TTL_SECONDS,
  type SessionEvent,
  type SessionRecord,
  type SessionServiceBinding,
  type SessionResult,
  type SessionTicket,
} from './session-record.js';

/** spec §6.2: 30 failed checks in 24 h for one tokenId lock its initiates. */
export const TOKEN_FAILURE_LIMIT = 30;
const TOKEN_FAILURE_WINDOW_MS = 24 * 3_600_000;
const SESSION_MS = SESSION_TTL_SECONDS * 1000;
const RESULT_MS = RESULT_TTL_SECONDS * 1000;
/** How long past a session's end its open mark waits for the expiry sweep. */
const OPEN_MARK_GRACE_MS = 60_000;
/** More than the per-tokenId start limit lets through in a minute, whatever it is set to within reason. */
const TOKEN_SESSIONS_KEPT = 100;

/** Every session's events on one channel, so each node subscribes once and feeds its own browsers (spec §6.4). */
export const SESSION_EVENTS_CHANNEL = 'session-events';

/** The ephemeral state of X.1280 sessions, over the EphemeralStore port (Redis or in-process). */
@Injectable()
export class SessionStore {
  constructor(private readonly store: EphemeralStore) {}

  /** Writes a new session and what outlives it, concurrently (one round trip's worth on Redis); before initiate answers. */
  async saveSession(session: SessionRecord): Promise<void> {
    const { sessionId } = session;
    // Outlives the session by the result's lifetime, so a late poll learns `expired`.
    const ticket: SessionTicket = { wsToken: session.wsToken, expiresAt: session.expiresAt };
    // The browser channel checks a late socket's Origin against the session's service, after the session is taken.
    const binding: SessionServiceBinding = { serviceId: session.serviceId, browserOnly: session.browserOnly === true };
    await Promise.all([
      this.store.put(`session:${sessionId}`, JSON.stringify(session), SESSION_MS),
      this.store.put(`session-ticket:${sessionId}`, JSON.stringify(ticket), SESSION_MS + RESULT_MS),
      this.store.put(`session-service:${sessionId}`, JSON.stringify(binding), SESSION_MS + RESULT_MS),
      // Marks the session as not yet ended: whoever ends it takes the mark, so its outcome is written exactly once
      // (the expiry sweep finds it still there when the 60 s passed unanswered).
      this.store.put(`session-open:${sessionId}`, sessionId, SESSION_MS + OPEN_MARK_GRACE_MS),
      // A revocation ends the holder's pending sessions (spec §4); this finds them.
      session.tokenId === undefined
        ? undefined
        : this.store.append(`token-sessions:${session.tokenId}`, sessionId, SESSION_MS, TOKEN_SESSIONS_KEPT),
    ]);
  }

  /** Sessions waiting for the phone now, on every node (each is one `session:` key until it ends or its 60 s pass). */
  countLiveSessions(): Promise<number> {
    return this.store.countKeys('session:');
  }

  /** Ends the session's open mark; true for the one caller that ended it (see saveSession). */
  async closeSession(sessionId: string): Promise<boolean> {
    return (await this.store.take(`session-open:${sessionId}`)) !== undefined;
  }

  /** The sessions started for this tokenId in the last 60 s, live or not (spec §4 revocation ends the live ones). */
  recentSessionsOf(tokenId: string): Promise<string[]> {
    return this.store.readList(`token-sessions:${tokenId}`);
  }

  /** The service of a session, remembered as long as its ticket. */
  async readServiceBinding(sessionId: string): Promise<SessionServiceBinding | undefined> {
    return parse<SessionServiceBinding>(await this.store.get(`session-service:${sessionId}`));
  }

  async readSession(sessionId: string): Promise<SessionRecord | undefined> {
    return parse<SessionRecord>(await this.store.get(`session:${sessionId}`));
  }

  /** spec §6.2: of any number of concurrent callers, on any node, exactly one gets the session. */
  async takeSessionOnce(sessionId: string): Promise<SessionRecord | undefined> {
    return parse<SessionRecord>(await this.store.take(`session:${sessionId}`));
  }

  async readTicket(sessionId: string): Promise<SessionTicket | undefined> {
    return parse<SessionTicket>(await this.store.get(`session-ticket:${sessionId}`));
  }

  /** One failed check in this session; the count, in a window as long as the session lives. */
  countSessionFailure(sessionId: string): Promise<number> {
    return this.store.increment(`session-failures:${sessionId}`, SESSION_MS);
  }

  /** One failed check by this tokenId; the count within 24 h (spec §6.2). */
  countTokenFailure(tokenId: string): Promise<number> {
    return this.store.increment(`token-failures:${tokenId}`, TOKEN_FAILURE_WINDOW_MS);
  }

  async tokenFailures(tokenId: string): Promise<number> {
    return Number((await this.store.get(`token-failures:${tokenId}`)) ?? 0);
  }

  /** The count and how long its 24 h window has left (undefined when there is no count). */
  async tokenFailureWindow(tokenId: string): Promise<{ failures: number; remainingMs: number | undefined }> {
    const [failures, remainingMs] = await Promise.all([
      this.tokenFailures(tokenId),
      this.store.remainingTtl(`token-failures:${tokenId}`),
    ]);
    return { failures, remainingMs };
  }

  /** spec §6.2: an operator clears a tokenId's lockout. */
  async clearTokenFailures(tokenId: string): Promise<void> {
    await this.store.delete(`token-failures:${tokenId}`);
  }

  /** spec §6.4: the outcome stays readable for 60 s, then is gone. */
  async saveResult(sessionId: string, result: SessionResult): Promise<void> {
    await this.store.put(`session-result:${sessionId}`, JSON.stringify(result), RESULT_MS);
  }

  async readResult(sessionId: string): Promise<SessionResult | undefined> {
    return parse<SessionResult>(await this.store.get(`session-result:${sessionId}`));
  }

  /**
   * A session's end: its result, then its event to every node, issued together (one round trip on Redis). The store
   * applies them in that order, so whoever hears the event can read the result.
   */
  async saveAndPublish(session: SessionRecord, result: SessionResult): Promise<void> {
    const event = eventOfResult(session.sessionId, result);
    await Promise.all([this.saveResult(session.sessionId, result), this.publish(session, event)]);
  }

  /** The end of `session` to every node; marked when a CIBA request waits on it (see SessionRecord.backchannel). */
  private async publish(session: SessionRecord, event: SessionEvent): Promise<void> {
    const marked: SessionEvent = session.backchannel ? { ...event, backchannel: true } : event;
    await this.store.publish(SESSION_EVENTS_CHANNEL, JSON.stringify(marked));
  }
}

function parse<T>(json: string | undefined): T | undefined {
  return json === undefined ? undefined : (JSON.parse(json) as T);
}
