import type { ClaimName } from '../claims/identity-claims.js';

interface AtomicScopeDefinition {
  /** The claims the scope releases (spec §7). */
  readonly claims: readonly ClaimName[];
  /** One line for consent screens and the OpenAPI document. */
  readonly description: string;
}

/** spec §7: each atomic scope and the claims it releases. */
export const ATOMIC_SCOPES = {
  'identity:name': {
    claims: ['givenName', 'familyName'],
    description: 'Your given and family names',
  },
  'identity:given_name': { claims: ['givenName'], description: 'Your given name' },
  'identity:family_name': { claims: ['familyName'], description: 'Your family name' },
  'identity:date_of_birth': { claims: ['dateOfBirth'], description: 'Your date of birth' },
  'identity:nationality': { claims: ['nationality'], description: 'Your nationality' },
  'identity:document': { claims: ['documentNumber'], description: 'The number of your identity document' },
  'identity:photo': { claims: ['photoBase64'], description: 'The photo from your identity document' },
  'identity:trust_level': {
    claims: ['trustLevel'],
    description: 'How strongly your identity was verified (substantial or high)',
  },
  'identity:age_over_18': { claims: ['ageOver18'], description: 'Whether you are 18 or older' },
  'identity:age_over_21': { claims: ['ageOver21'], description: 'Whether you are 21 or older' },
  'identity:age_over_25': { claims: ['ageOver25'], description: 'Whether you are 25 or older' },
  'identity:age_range': {
    claims: ['ageRange'],
    description: 'Your age group (under 18, 18-20, 21-24, 25-34, 35-49, 50-64, 65 or older)',
  },
  'identity:is_eu_citizen': {
    claims: ['isEuCitizen'],
    description: 'Whether you are a citizen of a European Union member state',
  },
  'identity:name_initial': { claims: ['nameInitial'], description: 'Your initials (e.g. J. D.)' },
} as const satisfies Record<string, AtomicScopeDefinition>;

export type AtomicScope = keyof typeof ATOMIC_SCOPES;
