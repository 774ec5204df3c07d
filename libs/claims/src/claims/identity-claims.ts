/** spec §7 `acr`: the assurance level the enrollment reached (eIDAS LoA). */
export type TrustLevel = 'substantial' | 'high';

/** spec §7 `ageRange` values, youngest first. */
export const AGE_RANGES = ['<18', '18-20', '21-24', '25-34', '35-49', '50-64', '65+'] as const;
export type AgeRange = (typeof AGE_RANGES)[number];

/**
 * What a claim is computed from: an enrollment's stored claims (EnrollmentClaims, spec §4) plus its trust level.
 * Declared here, not imported from enrollment, so that claims stays a leaf every context may depend on.
 */
export interface ClaimsSubject {
  givenName: string;
  familyName: string;
  /** `YYYY-MM-DD`, unknown parts as `XX` (spec §2 `dob`), e.g. `1985-07-XX`, `1985-XX-XX`. */
  dateOfBirth: string;
  /** ISO 3166-1 alpha-3, upper-case. */
  nationality: string;
  documentNumber: string;
  photoBase64: string;
  trustLevel: TrustLevel;
}

/** Every claim of spec §7 with its type, in the order they are written into a token. */
export interface IdentityClaimValues {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  nationality: string;
  documentNumber: string;
  photoBase64: string;
  trustLevel: TrustLevel;
  ageOver18: boolean;
  ageOver21: boolean;
  ageOver25: boolean;
  ageRange: AgeRange;
  isEuCitizen: boolean;
  nameInitial: string;
}

export type ClaimName = keyof IdentityClaimValues;

/** The claims of one token: exactly those of the granted scopes (spec §7), so every member is optional. */
export type IdentityClaims = Partial<IdentityClaimValues>;
