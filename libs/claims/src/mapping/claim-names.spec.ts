import { AGE_RANGES } from '../claims/identity-claims.js';
import { OIDC_CLAIM_NAMES, oidcClaimName } from './oidc-claim-names.js';

describe('claim name mappings', () => {
  it('names every claim once for OIDC', () => {
    const names = Object.values(OIDC_CLAIM_NAMES);
    expect(new Set(names).size).toBe(names.length);
    expect(oidcClaimName('dateOfBirth')).toBe('birthdate');
    expect(oidcClaimName('ageOver18')).toBe('age_over_18');
  });

  it('knows the seven age ranges', () => {
    expect(AGE_RANGES).toHaveLength(7);
  });
});
