import { expandScopes } from '../scopes/expand-scopes.js';
import type { AtomicScope } from '../scopes/atomic-scopes.js';
import type { Scope } from '../scopes/scope-catalogue.js';
import { claimsFor } from './claims-for.js';
import type { ClaimsSubject, IdentityClaims } from './identity-claims.js';

const subject = (overrides: Partial<ClaimsSubject> = {}): ClaimsSubject => ({
  givenName: 'JANE MARIE',
  familyName: 'DOE',
  dateOfBirth: '1990-06-15',
  nationality: 'DEU',
  documentNumber: 'C01X00T47',
  photoBase64: 'UklGRg==',
  trustLevel: 'high',
  ...overrides,
});
const at = new Date('2026-11-26T12:00:00Z');

const name = { givenName: 'JANE MARIE', familyName: 'DOE' };
const full: IdentityClaims = {
  ...name,
  dateOfBirth: '1990-06-15',
  nationality: 'DEU',
  documentNumber: 'C01X00T47',
  trustLevel: 'high',
};

const perAtomicScope: [AtomicScope, IdentityClaims][] = [
  ['identity:name', name],
  ['identity:given_name', { givenName: 'JANE MARIE' }],
  ['identity:family_name', { familyName: 'DOE' }],
  ['identity:date_of_birth', { dateOfBirth: '1990-06-15' }],
  ['identity:nationality', { nationality: 'DEU' }],
  ['identity:document', { documentNumber: 'C01X00T47' }],
  ['identity:photo', { photoBase64: 'UklGRg==' }],
  ['identity:trust_level', { trustLevel: 'high' }],
  ['identity:age_over_18', { ageOver18: true }],
  ['identity:age_over_21', { ageOver21: true }],
  ['identity:age_over_25', { ageOver25: true }],
  ['identity:age_range', { ageRange: '35-49' }],
  ['identity:is_eu_citizen', { isEuCitizen: true }],
  ['identity:name_initial', { nameInitial: 'J. D.' }],
];

const perComposite: [Scope, IdentityClaims][] = [
  ['identity:basic', { ...name, trustLevel: 'high' }],
  ['identity:age_verification', { ...name, ageOver18: true }],
  ['identity:full', full],
  ['identity:full_with_photo', { ...full, photoBase64: 'UklGRg==' }],
];

describe('claimsFor (spec §7: exactly the claims of the granted scopes)', () => {
  it.each(perAtomicScope)('releases for %s exactly %j', (scope, expected) => {
    expect(claimsFor([scope], subject(), at)).toStrictEqual(expected);
  });

  it.each(perComposite)('releases for the composite %s exactly %j', (scope, expected) => {
    expect(claimsFor(expandScopes([scope]), subject(), at)).toStrictEqual(expected);
  });

  it('covers every atomic scope in the table above', () => {
    expect(perAtomicScope.map(([scope]) => scope).sort()).toEqual(
      expandScopes(perAtomicScope.map(([scope]) => scope)).sort(),
    );
    expect(perAtomicScope).toHaveLength(14);
  });

  it('releases nothing for no scope', () => {
    expect(claimsFor([], subject(), at)).toStrictEqual({});
  });

  it('releases a claim once when two granted scopes both carry it', () => {
    expect(claimsFor(['identity:name', 'identity:given_name'], subject(), at)).toStrictEqual(name);
  });

  it('writes claims in catalogue order whatever the scope order', () => {
    const claims = claimsFor(['identity:name_initial', 'identity:trust_level', 'identity:name'], subject(), at);
    expect(Object.keys(claims)).toEqual(['givenName', 'familyName', 'trustLevel', 'nameInitial']);
  });

  it('computes age claims at the issue time it is given', () => {
    const teen = subject({ dateOfBirth: '2008-11-27' });
    expect(claimsFor(['identity:age_over_18'], teen, at)).toEqual({ ageOver18: false });
    expect(claimsFor(['identity:age_over_18'], teen, new Date('2026-11-27T00:00:00Z'))).toEqual({ ageOver18: true });
  });

  it('says false for a nationality outside the EU', () => {
    expect(claimsFor(['identity:is_eu_citizen'], subject({ nationality: 'GBR' }), at)).toEqual({ isEuCitizen: false });
  });

  it('does not read the date of birth when no age claim is granted', () => {
    expect(claimsFor(['identity:name'], subject({ dateOfBirth: 'garbage' }), at)).toStrictEqual(name);
    expect(() => claimsFor(['identity:age_range'], subject({ dateOfBirth: 'garbage' }), at)).toThrow(RangeError);
  });
});
