import { randomBytes } from 'node:crypto';
import { deriveOtp } from './otp.js';
import { newSessionId } from './session-id.js';
import { newSessionRandom } from './session-random.js';

describe('deriveOtp', () => {
  const master = randomBytes(32);
  const tokenId = '3f1c0c3e-9c1d-4c43-9a55-1c1f4b9e7a10';

  it('is always exactly 6 digits, leading zeros kept (1000 random sessions)', () => {
    for (let i = 0; i < 1000; i += 1) {
      expect(deriveOtp(master, tokenId, newSessionId(), newSessionRandom())).toMatch(/^\d{6}$/);
    }
  });

  it('gives a claims-only session (tokenId "") a different code than the same session with a tokenId', () => {
    const sessionId = newSessionId();
    const random = newSessionRandom();
    expect(deriveOtp(master, '', sessionId, random)).not.toBe(deriveOtp(master, tokenId, sessionId, random));
  });
});
