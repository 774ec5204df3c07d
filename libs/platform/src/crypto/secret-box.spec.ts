import { randomBytes } from 'node:crypto';
import { deriveKey } from './derive-key.js';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const master = randomBytes(32);
  const box = new SecretBox(master);
  const secret = Buffer.from('-----BEGIN PRIVATE KEY----- pretend');

  it('opens what it sealed, and the sealed bytes do not contain the plaintext', () => {
    const sealed = box.seal(secret, 'key_material:k1');
    expect(sealed.includes(secret)).toBe(false);
    expect(box.open(sealed, 'key_material:k1')).toEqual(secret);
  });

  it('seals the same plaintext differently each time (random IV)', () => {
    expect(box.seal(secret, 'a')).not.toEqual(box.seal(secret, 'a'));
  });

  it('refuses a box sealed for another row', () => {
    expect(() => box.open(box.seal(secret, 'key_material:k1'), 'key_material:k2')).toThrow();
  });

  it('refuses a box sealed under another master secret', () => {
    expect(() => new SecretBox(randomBytes(32)).open(box.seal(secret, 'a'), 'a')).toThrow();
  });

  it('refuses a box with one bit flipped anywhere', () => {
    const sealed = box.seal(secret, 'a');
    for (const index of [1, 13, 29, sealed.length - 1]) {
      const altered = Buffer.from(sealed);
      altered[index]! ^= 0x01;
      expect(() => box.open(altered, 'a')).toThrow();
    }
  });

  it('refuses truncated or unknown-version input', () => {
    expect(() => box.open(Buffer.alloc(10), 'a')).toThrow(/malformed/);
    const sealed = box.seal(secret, 'a');
    sealed[0] = 9;
    expect(() => box.open(sealed, 'a')).toThrow(/unknown version/);
  });
});

describe('deriveKey', () => {
  it('is HKDF-SHA256 with empty salt (RFC 5869 test case 3 inputs)', () => {
    // RFC 5869 A.3: IKM = 22 × 0x0b, salt and info empty, L = 42.
    const okm = deriveKey(Buffer.alloc(22, 0x0b), '', 42);
    expect(okm.toString('hex')).toBe(
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });

  it('separates keys by info', () => {
    const master = randomBytes(32);
    expect(deriveKey(master, 'IDToken/v1/ws')).not.toEqual(deriveKey(master, 'IDToken/v1/pairwise-sub'));
    expect(deriveKey(master, 'IDToken/v1/ws')).toHaveLength(32);
  });
});
