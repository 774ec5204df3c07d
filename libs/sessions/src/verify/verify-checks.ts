import { expandScopes, isScope, type AtomicScope, type Scope } from '#idtoken/claims';
import {
  DerSignatureError,
  devicePublicKey,
  assertFreshTimestamp,
  verifyDeviceSignature,
  type EnrollmentEntity,
  type EnrollmentRepository,
} from '#idtoken/enrollment';
import { DomainError } from '#idtoken/platform';
import { otpMatches } from '../derivation/index.js';
import type { SessionRecord } from '../session-record.js';
import type { SessionStore } from '../session.store.js';
import { verifyMessage } from './verify-message.js';

// The checks of spec §6.2, one small function each; VerifyFlow runs them in this order.

/** The body of `POST /auth/verify` (spec §6.2). */
export interface VerifyRequest {
  sessionId: string;
  tokenId: string;
  otp: string;
  timestamp: number;
  grantedScopes: string[];
  signatureBase64: string;
}

/** spec §6.2: the session exists and is live (`404 session_not_found`). */
export async function liveSession(
  sessions: Pick<SessionStore, 'readSession'>,
  sessionId: string,
): Promise<SessionRecord> {
  const session = await sessions.readSession(sessionId);
  if (!session) throw new DomainError('session_not_found', 'No live session with this sessionId');
  return session;
}

/** spec §6.2 `403 token_mismatch`; spec §6.5: a claims-only session binds to the first valid verify instead. */
export function tokenIdMatches(session: SessionRecord, tokenId: string): void {
  if (session.tokenId !== undefined && session.tokenId !== tokenId) {
    throw new DomainError('token_mismatch', 'This session was started for another tokenId');
  }
}

/** spec §6.2: the enrollment is active (`403 enrollment_revoked`). */
export function activeEnrollment(
  enrollments: Pick<EnrollmentRepository, 'requireActive'>,
  tokenId: string,
  now: Date,
): Promise<EnrollmentEntity> {
  return enrollments.requireActive(tokenId, now);
}

/** spec §6.2: `|now − timestamp| ≤ 30` (`400 stale_timestamp`). */
export function freshTimestamp(timestamp: number, now: Date): void {
  assertFreshTimestamp(timestamp, now);
}

/** spec §6.2, §5.1: a strict-DER ECDSA P-256 signature by the enrolled key (`401 invalid_signature`). */
export function validSignature(enrollment: EnrollmentEntity, request: VerifyRequest): void {
  const publicKey = devicePublicKey(enrollment.publicKeySpki);
  const message = verifyMessage(request.sessionId, request.otp, request.timestamp, request.grantedScopes);
  const signatureDer = Buffer.from(request.signatureBase64, 'base64');
  let valid: boolean;
  try {
    valid = verifyDeviceSignature(publicKey, message, signatureDer);
  } catch (error) {
    if (error instanceof DerSignatureError) throw new DomainError('invalid_signature', error.message);
    throw error;
  }
  if (!valid) throw new DomainError('invalid_signature', 'The signature does not verify for this session');
}

/** spec §6.2: the OTP is equal, compared in constant time (`401 invalid_otp`). */
export function equalOtp(session: SessionRecord, otp: string): void {
  if (!otpMatches(session.otp, otp)) throw new DomainError('invalid_otp', 'The one-time code is wrong');
}

/**
 * spec §6.2: grantedScopes ⊆ the session's scopes (`422 scope_inflation`); an unknown scope is never within them.
 * Returns the granted scopes as sent (deduplicated) and expanded to atomic scopes.
 */
export function grantWithinSession(
  session: SessionRecord,
  grantedScopes: readonly string[],
): { granted: Scope[]; atomic: AtomicScope[] } {
  const granted = [...new Set(grantedScopes)];
  const known = granted.filter(isScope);
  const atomic = expandScopes(known);
  const allowed = new Set<string>(session.scopes);
  if (known.length !== granted.length || !atomic.every((scope) => allowed.has(scope))) {
    throw new DomainError('scope_inflation', 'The granted scopes exceed what the session requested');
  }
  return { granted: known, atomic };
}
