import { generateKeyPairSync } from 'node:crypto';
import { devicePublicKey } from './device-key-cache.js';

describe('device key cache', () => {
  it('returns the same KeyObject for the same SPKI, and another for another key', () => {
    const spki = (key: ReturnType<typeof generateKeyPairSync>['publicKey']) =>
      key.export({ format: 'der', type: 'spki' });
    const a = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const b = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const first = devicePublicKey(spki(a));
    expect(devicePublicKey(Buffer.from(spki(a)))).toBe(first);
    expect(first.equals(a)).toBe(true);
    const other = devicePublicKey(spki(b));
    expect(other).not.toBe(first);
    expect(other.equals(b)).toBe(true);
  });
});
