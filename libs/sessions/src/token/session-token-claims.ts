import { claimsFor, type AtomicScope, type ClaimsSubject, type IdentityClaims, type Scope } from '#idtoken/claims';

/** spec §7 `amr`: a face match on the phone, a hardware-bound key, together multi-factor. */
export const SESSION_AMR = ['face', 'hwk', 'mfa'] as const;

export interface SessionTokenInput {
  issuer: string;
  /** The tokenId when the relying party started the session with it, else the pairwise subject (spec §7). */
  subject: string;
  serviceId: string;
  sessionId: string;
  /** Unix seconds of the approval. */
  issuedAt: number;
  lifetimeSeconds: number;
  jti: string;
  granted: readonly Scope[];
  atomic: readonly AtomicScope[];
  holder: ClaimsSubject;
}

export type SessionTokenClaims = {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  auth_time: number;
  sid: string;
  acr: string;
  amr: string[];
  scope: string;
} & IdentityClaims;

/** spec §7: the registered claims of a direct-API token, then exactly the claims of the granted scopes. */
export function sessionTokenClaims(input: SessionTokenInput): SessionTokenClaims {
  return {
    iss: input.issuer,
    sub: input.subject,
    aud: input.serviceId,
    iat: input.issuedAt,
    exp: input.issuedAt + input.lifetimeSeconds,
    jti: input.jti,
    auth_time: input.issuedAt,
    sid: input.sessionId,
    acr: `http://eidas.europa.eu/LoA/${input.holder.trustLevel}`,
    amr: [...SESSION_AMR],
    scope: input.granted.join(' '),
    ...claimsFor(input.atomic, input.holder, new Date(input.issuedAt * 1000)),
  };
}
