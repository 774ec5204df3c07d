import { otpMatches } from './otp-matches.js';

describe('otpMatches', () => {
  it('accepts the expected code', () => {
    expect(otpMatches('048213', '048213')).toBe(true);
  });

  it('rejects a wrong code of the right length', () => {
    expect(otpMatches('048213', '048214')).toBe(false);
  });

  it('rejects a shorter code', () => {
    expect(otpMatches('048213', '04821')).toBe(false);
    expect(otpMatches('048213', '')).toBe(false);
  });

  it('rejects a longer code', () => {
    expect(otpMatches('048213', '0482130')).toBe(false);
  });
});
