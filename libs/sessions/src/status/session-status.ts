import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '#idtoken/platform';
import type { RejectionReason, SessionRecord, SessionResult, SessionStatus, SessionTicket } from '../session-record.js';

/** spec §6.4 fallback: `{ status, reason?, jwt?, hash?, random? }`. */
export interface SessionStatusAnswer {
  status: SessionStatus;
  reason?: RejectionReason;
  jwt?: string;
  hash?: string;
  random?: string;
}

/** What the store holds for one session: at most one of result and session, and its ticket while remembered. */
export interface SessionState {
  result?: SessionResult;
  session?: SessionRecord;
  ticket?: SessionTicket;
}

/** Constant time whatever the lengths: both sides hashed first. */
export function sameToken(expected: string, presented: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(presented));
}

/**
 * spec §6.4: the state of a session as its relying party may read it with `Bearer <wsToken>`. A wrong token and an
 * unknown session answer alike (`404 session_not_found`), so the endpoint reveals nothing to a guesser.
 */
export function sessionStatus(state: SessionState, presentedWsToken: string, now: Date): SessionStatusAnswer {
  const wsToken = state.result?.wsToken ?? state.session?.wsToken ?? state.ticket?.wsToken;
  if (wsToken === undefined || !sameToken(wsToken, presentedWsToken)) {
    throw new DomainError('session_not_found', 'No session with this sessionId and wsToken');
  }
  const { result } = state;
  if (result?.status === 'approved') {
    return { status: 'approved', jwt: result.jwt, hash: result.hash, random: result.random };
  }
  if (result?.status === 'rejected') return { status: 'rejected', reason: result.reason };
  // A session just taken by a verify has no result for a moment: until its expiry it still counts as pending.
  const live = state.session !== undefined || (state.ticket?.expiresAt ?? 0) * 1000 > now.getTime();
  return { status: live ? 'pending' : 'expired' };
}
