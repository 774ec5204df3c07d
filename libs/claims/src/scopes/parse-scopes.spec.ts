import { ScopeError } from '../scope-error.js';
import { parseScopes } from './parse-scopes.js';

function refusal(input: string | string[]): ScopeError {
  try {
    parseScopes(input);
  } catch (error) {
    if (error instanceof ScopeError) return error;
    throw error;
  }
  throw new Error('parseScopes accepted the input');
}

describe('parseScopes (spec §7)', () => {
  it('reads a space-separated string', () => {
    expect(parseScopes('identity:name identity:age_over_18')).toEqual(['identity:name', 'identity:age_over_18']);
  });

  it('reads an array', () => {
    expect(parseScopes(['identity:full', 'identity:photo'])).toEqual(['identity:full', 'identity:photo']);
  });

  it('keeps composites as they are (expansion is expandScopes)', () => {
    expect(parseScopes('identity:basic')).toEqual(['identity:basic']);
  });

  it('removes duplicates, keeping the first place', () => {
    expect(parseScopes('identity:photo identity:name identity:photo identity:name')).toEqual([
      'identity:photo',
      'identity:name',
    ]);
    expect(parseScopes(['identity:name', 'identity:name'])).toEqual(['identity:name']);
  });

  it('skips extra whitespace and empty tokens', () => {
    expect(parseScopes('  identity:name \t identity:photo\n')).toEqual(['identity:name', 'identity:photo']);
    expect(parseScopes(['', 'identity:name'])).toEqual(['identity:name']);
  });

  it('gives an empty list for an empty request', () => {
    expect(parseScopes('')).toEqual([]);
    expect(parseScopes([])).toEqual([]);
  });

  it('refuses an unknown scope with invalid_scope, naming it', () => {
    const error = refusal('identity:name identity:email');
    expect(error.code).toBe('invalid_scope');
    expect(error.unknownScopes).toEqual(['identity:email']);
    expect(error.message).toContain('identity:email');
  });

  it('names every unknown scope once, in request order', () => {
    expect(refusal(['openid', 'identity:name', 'profile', 'openid']).unknownScopes).toEqual(['openid', 'profile']);
  });

  it('is case-sensitive', () => {
    expect(refusal('IDENTITY:NAME').unknownScopes).toEqual(['IDENTITY:NAME']);
  });

  it('refuses an array item holding two scopes', () => {
    expect(refusal(['identity:name identity:photo']).unknownScopes).toEqual(['identity:name identity:photo']);
  });

  it('refuses names inherited from Object.prototype', () => {
    expect(refusal('toString constructor').unknownScopes).toEqual(['toString', 'constructor']);
  });
});
