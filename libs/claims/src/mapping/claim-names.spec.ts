import { AGE_RANGES } from '../claims/identity-claims.js';
import { OIDC_CLAIM_NAMES, oidcClaimName } from './oidc-claim-names.js';
import { SAML_ATTRIBUTE_NAMES } from './saml-attribute-names.js';

describe('claim name mappings', () => {
  it('names every claim once for OIDC', () => {
    const names = Object.values(OIDC_CLAIM_NAMES);
    expect(new Set(names).size).toBe(names.length);
    expect(oidcClaimName('dateOfBirth')).toBe('birthdate');
    expect(oidcClaimName('ageOver18')).toBe('age_over_18');
  });

  it('names every claim once for SAML, as absolute URIs', () => {
    const names = Object.values(SAML_ATTRIBUTE_NAMES);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(new URL(name).protocol).toMatch(/^https?:$/);
  });

  it('maps the same claims for both', () => {
    expect(Object.keys(SAML_ATTRIBUTE_NAMES)).toEqual(Object.keys(OIDC_CLAIM_NAMES));
    expect(AGE_RANGES).toHaveLength(7);
  });
});
