import { generateKeyPairSync } from 'node:crypto';
import { decodeVds } from '../codec/decode-vds.js';
import { createTestSigner, flipBitInText, signIdentity, type TestSigner } from '../testing/vds-test-kit.js';
import type { DecodedVds } from '../types.js';
import { P256_ORDER, toLowS } from './p256.js';
import { verifySignatureOnly } from './verify-signature.js';

const scalar = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');

describe('verifySignatureOnly (spec §2 step 5)', () => {
  let signer: TestSigner;
  let decoded: DecodedVds;
  beforeAll(async () => {
    signer = await createTestSigner();
    decoded = decodeVds(signIdentity(signer));
  });

  const withSignature = (signature: Uint8Array): DecodedVds => ({ ...decoded, signature });
  const r = () => decoded.signature.subarray(0, 32);
  const s = () => decoded.signature.subarray(32);
  const join = (first: Uint8Array, second: Uint8Array) => new Uint8Array(Buffer.concat([first, second]));

  it('accepts the signature made by signVds', () => {
    expect(verifySignatureOnly(decoded, signer.publicKey)).toBe(true);
  });

  it('accepts the private key in place of the public one (node derives it)', () => {
    expect(verifySignatureOnly(decoded, signer.privateKey)).toBe(true);
  });

  it('refuses another P-256 key', async () => {
    expect(verifySignatureOnly(decoded, (await createTestSigner()).publicKey)).toBe(false);
  });

  it('refuses a key that is not P-256', () => {
    expect(verifySignatureOnly(decoded, generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey)).toBe(false);
  });

  it('refuses a payload with one bit flipped', () => {
    expect(verifySignatureOnly(decodeVds(flipBitInText(decoded.binary, 'ERIKSSON')), signer.publicKey)).toBe(false);
  });

  it('refuses a signature with one bit flipped', () => {
    const flipped = new Uint8Array(decoded.signature);
    flipped[10]! ^= 0x01;
    expect(verifySignatureOnly(withSignature(flipped), signer.publicKey)).toBe(false);
  });

  it.each([
    ['r = 0', () => join(scalar(0n), s())],
    ['s = 0', () => join(r(), scalar(0n))],
    ['r = n', () => join(scalar(P256_ORDER), s())],
    ['s = n', () => join(r(), scalar(P256_ORDER))],
    ['r = 2²⁵⁶ − 1', () => join(scalar(2n ** 256n - 1n), s())],
  ])('refuses %s (out of [1, n − 1])', (_case, signature) => {
    expect(verifySignatureOnly(withSignature(signature()), signer.publicKey)).toBe(false);
  });

  it('refuses the high-s twin (r, n − s), valid ECDSA but a second fingerprint for one credential', () => {
    const highS = join(r(), scalar(P256_ORDER - BigInt(`0x${Buffer.from(s()).toString('hex')}`)));
    expect(verifySignatureOnly(withSignature(highS), signer.publicKey)).toBe(false);
    expect(verifySignatureOnly(withSignature(toLowS(highS)), signer.publicKey)).toBe(true);
  });

  it.each([63, 65, 0])('refuses a signature of %i bytes', (length) => {
    const signature = new Uint8Array(length);
    signature.set(decoded.signature.subarray(0, length));
    expect(verifySignatureOnly(withSignature(signature), signer.publicKey)).toBe(false);
  });
});
