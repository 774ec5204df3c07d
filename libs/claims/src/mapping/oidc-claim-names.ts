import type { ClaimName } from '../claims/identity-claims.js';

/**
 * How the OIDC facade names our claims (spec §7: "OIDC and SAML map the same claims to their conventions"). Only
 * names: value conversions belong to the facade and are noted here so they are not forgotten.
 * - given_name, family_name, birthdate: OpenID Connect Core 1.0 §5.1 standard claims. birthdate is YYYY-MM-DD, or
 *   YYYY alone when month and day are unknown; Core has no form for a known month with an unknown day, so the facade
 *   sends YYYY for `1985-07-XX` and omits birthdate when the year is unknown.
 * - nationalities: OpenID Connect for Identity Assurance 1.0 — a JSON array of ISO 3166-1 codes, so the facade wraps
 *   our single alpha-3 value: `["DEU"]`.
 * - age_over_18/21/25: the ISO/IEC 18013-5 (mDL) element names, which wallets and OIDC4VP verifiers already use.
 * - document_number, photo, trust_level, age_range, is_eu_citizen, name_initial: no standard claim fits; our own
 *   names, snake_case like the rest. photo is not Core's `picture`, which is a URL, not image bytes.
 */
export const OIDC_CLAIM_NAMES = {
  givenName: 'given_name',
  familyName: 'family_name',
  dateOfBirth: 'birthdate',
  nationality: 'nationalities',
  documentNumber: 'document_number',
  photoBase64: 'photo',
  trustLevel: 'trust_level',
  ageOver18: 'age_over_18',
  ageOver21: 'age_over_21',
  ageOver25: 'age_over_25',
  ageRange: 'age_range',
  isEuCitizen: 'is_eu_citizen',
  nameInitial: 'name_initial',
} as const satisfies Record<ClaimName, string>;

/** The OIDC claim name of one of our claims. */
export const oidcClaimName = (claim: ClaimName): string => OIDC_CLAIM_NAMES[claim];
