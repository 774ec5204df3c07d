import type { AtomicScope } from './atomic-scopes.js';

interface CompositeScopeDefinition {
  /** The atomic scopes it stands for; a composite never names another composite, so expansion is one step. */
  readonly atomicScopes: readonly AtomicScope[];
  readonly description: string;
}

// spec §7: identity:full_with_photo = full + photo.
const FULL = [
  'identity:name',
  'identity:date_of_birth',
  'identity:nationality',
  'identity:document',
  'identity:trust_level',
] as const satisfies readonly AtomicScope[];

/** spec §7 composites. */
export const COMPOSITE_SCOPES = {
  'identity:basic': {
    atomicScopes: ['identity:name', 'identity:trust_level'],
    description: 'Your name and how strongly your identity was verified',
  },
  'identity:age_verification': {
    atomicScopes: ['identity:age_over_18', 'identity:name'],
    description: 'Your name and whether you are 18 or older',
  },
  'identity:full': {
    atomicScopes: FULL,
    description: 'Your name, date of birth, nationality, document number and verification level',
  },
  'identity:full_with_photo': {
    atomicScopes: [...FULL, 'identity:photo'],
    description: 'Your name, date of birth, nationality, document number, verification level and document photo',
  },
} as const satisfies Record<string, CompositeScopeDefinition>;

export type CompositeScope = keyof typeof COMPOSITE_SCOPES;
