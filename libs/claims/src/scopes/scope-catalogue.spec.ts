import { ATOMIC_SCOPES } from './atomic-scopes.js';
import { COMPOSITE_SCOPES } from './composite-scopes.js';
import { ALL_SCOPES, describeScope, isAtomicScope, isCompositeScope, isScope, type Scope } from './scope-catalogue.js';

describe('scope catalogue (spec §7)', () => {
  it('lists the 14 atomic and 4 composite scopes of the spec', () => {
    expect(Object.keys(ATOMIC_SCOPES)).toEqual([
      'identity:name',
      'identity:given_name',
      'identity:family_name',
      'identity:date_of_birth',
      'identity:nationality',
      'identity:document',
      'identity:photo',
      'identity:trust_level',
      'identity:age_over_18',
      'identity:age_over_21',
      'identity:age_over_25',
      'identity:age_range',
      'identity:is_eu_citizen',
      'identity:name_initial',
    ]);
    expect(Object.keys(COMPOSITE_SCOPES)).toEqual([
      'identity:basic',
      'identity:age_verification',
      'identity:full',
      'identity:full_with_photo',
    ]);
    expect(new Set(ALL_SCOPES).size).toBe(18);
  });

  it('gives every scope a one-line description', () => {
    for (const scope of ALL_SCOPES) {
      expect(describeScope(scope)).toMatch(/^\S.{5,119}$/);
    }
  });

  it('builds composites from atomic scopes only', () => {
    for (const { atomicScopes } of Object.values(COMPOSITE_SCOPES)) {
      for (const scope of atomicScopes) expect(isAtomicScope(scope)).toBe(true);
    }
  });

  it('tells atomic, composite and unknown apart', () => {
    expect([isScope('identity:basic'), isCompositeScope('identity:basic'), isAtomicScope('identity:basic')]).toEqual([
      true,
      true,
      false,
    ]);
    expect([isScope('identity:photo'), isAtomicScope('identity:photo')]).toEqual([true, true]);
    for (const unknown of ['identity:email', 'IDENTITY:NAME', 'openid', 'toString', '']) {
      expect(isScope(unknown)).toBe(false);
      expect(isAtomicScope(unknown)).toBe(false);
      expect(isCompositeScope(unknown)).toBe(false);
    }
  });

  it('is a closed union', () => {
    // @ts-expect-error: not a scope of spec §7
    const typo: Scope = 'identity:nam';
    expect(isScope(typo)).toBe(false);
  });
});
