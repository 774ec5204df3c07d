import { ATOMIC_SCOPES, type AtomicScope } from '../scopes/atomic-scopes.js';
import { ageRangeOf, isAgeAtLeast } from './age.js';
import { isEuCitizen } from './eu-citizenship.js';
import type { ClaimName, ClaimsSubject, IdentityClaims, IdentityClaimValues } from './identity-claims.js';
import { nameInitial } from './name-initial.js';

type ClaimComputers = { readonly [K in ClaimName]: (subject: ClaimsSubject, at: Date) => IdentityClaimValues[K] };

/**
 * How each claim of spec §7 is made; a claim added to IdentityClaimValues fails to compile until it is here. The
 * key order is the order claims are written into a token.
 */
const COMPUTE: ClaimComputers = {
  givenName: (subject) => subject.givenName,
  familyName: (subject) => subject.familyName,
  dateOfBirth: (subject) => subject.dateOfBirth,
  nationality: (subject) => subject.nationality,
  documentNumber: (subject) => subject.documentNumber,
  photoBase64: (subject) => subject.photoBase64,
  trustLevel: (subject) => subject.trustLevel,
  ageOver18: (subject, at) => isAgeAtLeast(subject.dateOfBirth, 18, at),
  ageOver21: (subject, at) => isAgeAtLeast(subject.dateOfBirth, 21, at),
  ageOver25: (subject, at) => isAgeAtLeast(subject.dateOfBirth, 25, at),
  ageRange: (subject, at) => ageRangeOf(subject.dateOfBirth, at),
  isEuCitizen: (subject) => isEuCitizen(subject.nationality),
  nameInitial: (subject) => nameInitial(subject.givenName, subject.familyName),
};

/**
 * spec §7: exactly the claims of the granted scopes, nothing more. Age claims are computed at `at`, the issue time
 * of the token. Only granted claims are computed, so a malformed dateOfBirth fails only a grant that needs it.
 */
export function claimsFor(atomicScopes: readonly AtomicScope[], subject: ClaimsSubject, at: Date): IdentityClaims {
  const wanted = new Set<ClaimName>(atomicScopes.flatMap((scope) => ATOMIC_SCOPES[scope].claims));
  const claims: IdentityClaims = {};
  for (const name of Object.keys(COMPUTE) as ClaimName[]) {
    if (wanted.has(name)) computeInto(claims, name, subject, at);
  }
  return claims;
}

function computeInto<K extends ClaimName>(claims: IdentityClaims, name: K, subject: ClaimsSubject, at: Date): void {
  claims[name] = COMPUTE[name](subject, at);
}
