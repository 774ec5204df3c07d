import { expandScopes, isSubset } from './expand-scopes.js';

describe('expandScopes (spec §7)', () => {
  it('expands identity:basic to name + trust_level', () => {
    expect(expandScopes(['identity:basic'])).toEqual(['identity:name', 'identity:trust_level']);
  });

  it('expands identity:age_verification to age_over_18 + name', () => {
    expect(expandScopes(['identity:age_verification'])).toEqual(['identity:age_over_18', 'identity:name']);
  });

  it('expands identity:full to name + date_of_birth + nationality + document + trust_level', () => {
    expect(expandScopes(['identity:full'])).toEqual([
      'identity:date_of_birth',
      'identity:document',
      'identity:name',
      'identity:nationality',
      'identity:trust_level',
    ]);
  });

  it('expands identity:full_with_photo to full + photo', () => {
    expect(expandScopes(['identity:full_with_photo'])).toEqual(
      [...expandScopes(['identity:full']), 'identity:photo'].sort(),
    );
  });

  it('keeps atomic scopes, removes duplicates and sorts ascending', () => {
    expect(expandScopes(['identity:photo', 'identity:basic', 'identity:name', 'identity:age_over_21'])).toEqual([
      'identity:age_over_21',
      'identity:name',
      'identity:photo',
      'identity:trust_level',
    ]);
  });

  it('gives nothing for nothing', () => {
    expect(expandScopes([])).toEqual([]);
  });
});

describe('isSubset', () => {
  it('accepts a grant inside the ceiling once composites are expanded', () => {
    expect(isSubset(['identity:name'], ['identity:basic'])).toBe(true);
    expect(isSubset(['identity:basic'], ['identity:name', 'identity:trust_level'])).toBe(true);
    expect(isSubset(['identity:full'], ['identity:full_with_photo'])).toBe(true);
    expect(isSubset(['identity:basic', 'identity:age_over_18'], ['identity:age_verification', 'identity:basic'])).toBe(
      true,
    );
  });

  it('refuses a grant releasing anything more', () => {
    expect(isSubset(['identity:full'], ['identity:basic'])).toBe(false);
    expect(isSubset(['identity:full_with_photo'], ['identity:full'])).toBe(false);
    expect(isSubset(['identity:given_name'], ['identity:name_initial'])).toBe(false);
  });

  it('treats the empty grant as inside any ceiling, and nothing else inside the empty ceiling', () => {
    expect(isSubset([], [])).toBe(true);
    expect(isSubset([], ['identity:name'])).toBe(true);
    expect(isSubset(['identity:name'], [])).toBe(false);
  });

  it('compares released claims scope by scope, not claim by claim', () => {
    // given_name + family_name release the same claims as name, but name was not granted as such.
    expect(isSubset(['identity:name'], ['identity:given_name', 'identity:family_name'])).toBe(false);
  });
});
