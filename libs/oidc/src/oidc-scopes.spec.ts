import { emailReleasable } from './oidc-scopes.js';

describe('emailReleasable (whether the account link must be looked up for claims)', () => {
  it('is false for scopes that release no email', () => {
    expect(emailReleasable('openid profile', null, [])).toBe(false);
    expect(emailReleasable('openid identity:full', {}, [])).toBe(false);
  });

  it('is true for the email scope', () => {
    expect(emailReleasable('openid email', null, [])).toBe(true);
  });

  it('is true when the claims parameter names email or email_verified without the scope', () => {
    expect(emailReleasable('openid', { email: null }, [])).toBe(true);
    expect(emailReleasable('openid', { email_verified: { essential: true } }, [])).toBe(true);
  });

  it('is false when the holder rejected both email claims', () => {
    expect(emailReleasable('openid email', { email: null }, ['email', 'email_verified'])).toBe(false);
    expect(emailReleasable('openid email', null, ['email'])).toBe(true);
  });

  it('ignores scope names that are not own keys of the claims configuration', () => {
    expect(emailReleasable('constructor __proto__ toString', null, [])).toBe(false);
    expect(emailReleasable(undefined, undefined, [])).toBe(false);
  });
});
