import { newSessionId } from './session-id.js';
import { newSessionRandom } from './session-random.js';

describe('session identifiers', () => {
  it('makes a sessionId of "sess_" and 16 random bytes in base64url', () => {
    expect(newSessionId()).toMatch(/^sess_[A-Za-z0-9_-]{22}$/);
    expect(newSessionId()).not.toBe(newSessionId());
  });

  it('makes a random of 16 bytes in lower-case hex', () => {
    expect(newSessionRandom()).toMatch(/^[0-9a-f]{32}$/);
    expect(newSessionRandom()).not.toBe(newSessionRandom());
  });
});
