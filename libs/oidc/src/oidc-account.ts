import { claimsFor, ATOMIC_SCOPES, type AtomicScope, type IdentityClaims } from '#idtoken/claims';
import type { EnrollmentEntity } from '#idtoken/enrollment';
import { OIDC_CLAIM_NAMES } from '#idtoken/claims';
import { oidcClaimsOf } from './oidc-scopes.js';

/**
 * The claims of one holder under their OIDC names (docs/oidc.md), for the claim names asked: each atomic scope is
 * computed on its own, so a claim that cannot be computed (a birth date without month and day, say) leaves out only
 * that claim. Value conversions: nationality → `nationalities` array; birthdate → `YYYY` when the day is unknown.
 */
export function oidcClaimsOfHolder(
  holder: EnrollmentEntity,
  wanted: ReadonlySet<string>,
  at: Date,
): Record<string, unknown> {
  const subject = { ...holder.claims, trustLevel: holder.trustLevel };
  const claims: Record<string, unknown> = {};
  for (const scope of Object.keys(ATOMIC_SCOPES) as AtomicScope[]) {
    if (!oidcClaimsOf(scope).some((name) => wanted.has(name))) continue;
    let computed: IdentityClaims;
    try {
      computed = claimsFor([scope], subject, at);
    } catch {
      continue;
    }
    for (const [name, value] of Object.entries(computed) as [keyof typeof OIDC_CLAIM_NAMES, unknown][]) {
      const oidcName = OIDC_CLAIM_NAMES[name];
      if (wanted.has(oidcName)) claims[oidcName] = oidcValue(name, value);
    }
  }
  return claims;
}

function oidcValue(name: keyof typeof OIDC_CLAIM_NAMES, value: unknown): unknown {
  if (name === 'nationality' && typeof value === 'string') return [value];
  if (name === 'dateOfBirth' && typeof value === 'string') {
    // OIDC Core §5.1: YYYY-MM-DD, or YYYY when only the year is known (our documents write unknown parts as XX).
    const [year, month, day] = value.split('-');
    return month === 'XX' || day === 'XX' ? year : value;
  }
  return value;
}
