import { decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { approvalHashMatches } from './approval-hash.js';
import { SessionVerificationError } from './errors.js';

/** What an `approved` event or an approved poll answer carries (spec §6.4). */
export interface Approval {
  jwt: string;
  hash: string;
  random: string;
}

/** What the relying party knows before any approval arrives. */
export interface ApprovalExpectations {
  sessionId: string;
  wsToken: string;
  /** As initiate returned it. */
  random: string;
  /** The server's issuer URL, byte-exact (spec §7 `iss`). */
  issuer: string;
  /** Your serviceId (spec §7 `aud`). */
  audience: string;
  jwks: JWTVerifyGetKey;
}

/** The verified JWT payload: spec §7's registered claims plus exactly the claims of the granted scopes. */
export type VerifiedClaims = JWTPayload & { sid: string; scope?: string } & Record<string, unknown>;

/**
 * spec §6.4 + §7, the relying party's checks of an approval, in order. Each throws SessionVerificationError; only
 * an approval that passes all of them yields claims.
 */
export async function verifyApproval(
  approval: unknown,
  expected: ApprovalExpectations,
): Promise<{ jwt: string; claims: VerifiedClaims }> {
  const { jwt, hash, random } = wellFormed(approval);
  // X.1280 anti-forgery: the approval must carry back the random this relying party got from initiate.
  if (random !== expected.random) {
    throw new SessionVerificationError('random_mismatch', 'approval carries another random than initiate returned');
  }
  // Only the server (and this relying party) know the wsToken that keys the hash.
  if (!(await approvalHashMatches(hash, expected.wsToken, expected.sessionId, random, jwt))) {
    throw new SessionVerificationError('hash_mismatch', 'approval hash does not match HMAC(wsToken, approved|…)');
  }
  const payload = await verifiedJwt(jwt, expected);
  // A genuine token of another session (replayed into this one) has another sid.
  if (payload.sid !== expected.sessionId) {
    throw new SessionVerificationError('sid_mismatch', 'the JWT was issued for another session');
  }
  return { jwt, claims: payload as VerifiedClaims };
}

function wellFormed(approval: unknown): Approval {
  const fields = (approval ?? {}) as Partial<Record<keyof Approval, unknown>>;
  if (typeof fields.jwt !== 'string' || typeof fields.hash !== 'string' || typeof fields.random !== 'string') {
    throw new SessionVerificationError('malformed_approval', 'approval lacks jwt, hash or random');
  }
  return { jwt: fields.jwt, hash: fields.hash, random: fields.random };
}

/**
 * The server's JWKS also publishes the Service-VDS key (spec §5, kid `service-vds-<certificate reference>`): it signs
 * seals, never tokens, so a JWT naming it is refused before any key is looked up.
 */
const SERVICE_VDS_KID = /^service-vds-/;

/** spec §7: ES256 only, signed by a token key, `iss` byte-exact, `aud` = serviceId, within `exp`. */
async function verifiedJwt(jwt: string, expected: ApprovalExpectations): Promise<JWTPayload> {
  try {
    const { kid } = decodeProtectedHeader(jwt);
    if (typeof kid === 'string' && SERVICE_VDS_KID.test(kid)) {
      throw new Error(`kid ${kid} is the Service-VDS key, which signs no tokens`);
    }
    const { payload } = await jwtVerify(jwt, expected.jwks, {
      issuer: expected.issuer,
      audience: expected.audience,
      algorithms: ['ES256'],
    });
    return payload;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SessionVerificationError('invalid_jwt', `the JWT does not verify: ${reason}`, { cause });
  }
}
