import type { AtomicScope } from '#idtoken/claims';

/**
 * A session's life (spec §6.1–§6.4), the one place its states and transitions are written down:
 *
 *   initiate ──► pending ──verify ok──────────────► approved   (result readable 60 s, then gone)
 *                  │  ├──deny────────────────────► rejected {denied}
 *                  │  ├──3rd failed check────────► rejected {too_many_attempts}
 *                  │  ├──enrollment revoked──────► rejected {revoked}
 *                  │  └──60 s pass───────────────► expired
 *
 * `pending` is the live session record; `approved` and `rejected` are result records; `expired` is what is left
 * when neither exists but the session's ticket (its wsToken) is still remembered.
 */
export type SessionStatus = 'pending' | 'approved' | 'rejected' | 'expired';

/** spec §6.4 `rejected {reason}`. */
export type RejectionReason = 'denied' | 'too_many_attempts' | 'revoked';

/** spec §6.1: a session lives 60 s; spec §6.4: an approved result is readable 60 s after approval. */
export const SESSION_TTL_SECONDS = 60;
export const RESULT_TTL_SECONDS = 60;

/** The live session (spec §6.1: tokenId, service, scopes, otp, random), stored as JSON under `session:<sessionId>`. */
export interface SessionRecord {
  sessionId: string;
  /** Absent in a claims-only session (spec §6.5): it binds to the first valid verify. */
  tokenId?: string;
  serviceId: string;
  /** spec §6.5 `svc`: what the relying party named the service by. */
  serviceReference: string;
  /**
   * Started without service authentication (a `publicInitiate` service, spec §6.1): only a browser on the service's
   * registered origin may watch it.
   */
  browserOnly?: true;
  /**
   * An OIDC CIBA request waits on this session's end: its events say so, and only those are looked up by the CIBA
   * listener (every other event costs it nothing).
   */
  backchannel?: true;
  tokenLifetimeSeconds: number;
  /** Expanded to atomic scopes, sorted (spec §7). */
  scopes: AtomicScope[];
  otp: string;
  random: string;
  wsToken: string;
  /** Unix seconds. */
  expiresAt: number;
  createdAt: number;
}

/** What the relying party may read after the session ended (spec §6.4 fallback), stored under `session-result:`. */
export type SessionResult =
  | {
      status: 'approved';
      wsToken: string;
      jwt: string;
      hash: string;
      random: string;
      expiresAt: number;
      /** For the facades on this server (OIDC, SAML), never sent to a poller: who approved, what, and when. */
      approval: SessionApproval;
    }
  | { status: 'rejected'; wsToken: string; reason: RejectionReason };

/** Which service a session belongs to, remembered as long as its ticket (the browser channel's Origin check). */
export interface SessionServiceBinding {
  serviceId: string;
  browserOnly: boolean;
}

/** What the holder approved (read by the OIDC and SAML facades, which finish their own protocol with it). */
export interface SessionApproval {
  tokenId: string;
  /** The granted scopes expanded to atomic scopes. */
  grantedScopes: AtomicScope[];
  /** `substantial` or `high`, from the enrollment. */
  trustLevel: string;
  /** Unix seconds of the approval (the authentication time). */
  approvedAt: number;
}

/** Remembers a session's wsToken past its end, so a poll after 60 s can say `expired` rather than "unknown". */
export interface SessionTicket {
  wsToken: string;
  expiresAt: number;
}

/**
 * The events of spec §6.4, published once on `session-events` for every node's browser sockets and CIBA.
 * `backchannel` is internal (a CIBA request waits on the session) and never reaches a browser.
 */
export type SessionEvent = (
  | { type: 'approved'; sessionId: string; jwt: string; hash: string; random: string; expiresAt: string }
  | { type: 'rejected'; sessionId: string; reason: RejectionReason }
) & { backchannel?: true };

/** The event that announces `result` (spec §6.4): the result's public fields, as every browser receives them. */
export function eventOfResult(sessionId: string, result: SessionResult): SessionEvent {
  return result.status === 'approved'
    ? {
        type: 'approved',
        sessionId,
        jwt: result.jwt,
        hash: result.hash,
        random: result.random,
        expiresAt: new Date(result.expiresAt * 1000).toISOString(),
      }
    : { type: 'rejected', sessionId, reason: result.reason };
}
