import { constants, createHash, generateKeyPairSync, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { createChallengeSigner } from '../testing/aa-signer.js';
import { encodeDg15 } from '../testing/data-groups.js';
import { ActiveAuthError, type ActiveAuthReason } from './active-auth-error.js';
import { activeAuthentication, type ActiveAuthInput } from './active-authentication.js';

function reasonOf(input: ActiveAuthInput): ActiveAuthReason {
  try {
    activeAuthentication(input);
  } catch (error) {
    if (error instanceof ActiveAuthError) return error.reason;
    throw error;
  }
  throw new Error('active authentication accepted the signature');
}

function chip(keyPair: { publicKey: KeyObject; privateKey: KeyObject }) {
  return {
    dg15: encodeDg15(new Uint8Array(keyPair.publicKey.export({ format: 'der', type: 'spki' }))),
    privateKey: keyPair.privateKey,
  };
}

describe('activeAuthentication', () => {
  const ecChip = chip(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }));
  const rsaChip = chip(generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const challenge = randomBytes(8);

  /** F = header ‖ M1 ‖ SHA-256(M1 ‖ challenge) ‖ trailer for a 2048-bit key, each part replaceable. */
  function iso9796Representative(parts: { header?: number[]; trailer?: number[] }): Buffer {
    const header = Buffer.from(parts.header ?? [0x6a]);
    const trailer = Buffer.from(parts.trailer ?? [0x34, 0xcc]);
    const m1 = randomBytes(256 - header.length - 32 - trailer.length);
    return Buffer.concat([header, m1, createHash('sha256').update(m1).update(challenge).digest(), trailer]);
  }

  const rsaSign = (representative: Buffer) =>
    privateEncrypt({ key: rsaChip.privateKey, padding: constants.RSA_NO_PADDING }, representative);

  describe('accepts the chip’s answer', () => {
    it.each([
      ['P-256', 'prime256v1', 'SHA-256'],
      ['P-384', 'secp384r1', 'SHA-384'],
      ['P-521', 'secp521r1', 'SHA-512'],
      ['brainpoolP256r1', 'brainpoolP256r1', 'SHA-256'],
    ] as const)('ECDSA %s, plain r ‖ s, hashed with the hash of its size', (_name, namedCurve, hashAlgorithm) => {
      const { dg15, privateKey } =
        namedCurve === 'prime256v1' ? ecChip : chip(generateKeyPairSync('ec', { namedCurve }));
      const signature = createChallengeSigner(privateKey)(challenge);
      expect(activeAuthentication({ dg15, challenge, signature })).toEqual({ keyType: 'ec', hashAlgorithm });
    });

    it('ECDSA with a DER signature', () => {
      const signature = createChallengeSigner(ecChip.privateKey, { ecdsaEncoding: 'der' })(challenge);
      expect(signature[0]).toBe(0x30);
      expect(() => activeAuthentication({ dg15: ecChip.dg15, challenge, signature })).not.toThrow();
    });

    it.each(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const)(
      'RSA ISO/IEC 9796-2 scheme 1 with %s',
      (rsaHashAlgorithm) => {
        const signature = createChallengeSigner(rsaChip.privateKey, { rsaHashAlgorithm })(challenge);
        expect(activeAuthentication({ dg15: rsaChip.dg15, challenge, signature })).toEqual({
          keyType: 'rsa',
          hashAlgorithm: rsaHashAlgorithm,
        });
      },
    );

    it('RSA with the padded form of the 9796-2 header (0x6B BB … BA)', () => {
      const signature = rsaSign(iso9796Representative({ header: [0x6b, 0xbb, 0xba] }));
      expect(() => activeAuthentication({ dg15: rsaChip.dg15, challenge, signature })).not.toThrow();
    });
  });

  describe('refuses', () => {
    it.each([
      ['ECDSA', ecChip],
      ['RSA', rsaChip],
    ])('a %s signature with one bit flipped', (_kind, { dg15, privateKey }) => {
      const signature = createChallengeSigner(privateKey)(challenge);
      signature[signature.length >> 1]! ^= 0x01;
      expect(reasonOf({ dg15, challenge, signature })).toBe('signature_invalid');
    });

    it.each([
      ['ECDSA', ecChip],
      ['RSA', rsaChip],
    ])('a %s signature over a different challenge', (_kind, { dg15, privateKey }) => {
      const signature = createChallengeSigner(privateKey)(randomBytes(8));
      expect(reasonOf({ dg15, challenge, signature })).toBe('signature_invalid');
    });

    it.each([
      ['ECDSA', ecChip, chip(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }))],
      ['RSA', rsaChip, chip(generateKeyPairSync('rsa', { modulusLength: 2048 }))],
    ])('a %s signature by another chip', (_kind, { dg15 }, other) => {
      const signature = createChallengeSigner(other.privateKey)(challenge);
      expect(reasonOf({ dg15, challenge, signature })).toBe('signature_invalid');
    });

    it('an RSA representative whose header says full recovery (0x4A), hash otherwise right', () => {
      const signature = rsaSign(iso9796Representative({ header: [0x4a] }));
      expect(reasonOf({ dg15: rsaChip.dg15, challenge, signature })).toBe('signature_invalid');
    });

    it('an RSA trailer naming an unknown hash function (0x31CC), hash otherwise right', () => {
      const signature = rsaSign(iso9796Representative({ trailer: [0x31, 0xcc] }));
      expect(reasonOf({ dg15: rsaChip.dg15, challenge, signature })).toBe('signature_invalid');
    });

    it('an RSA signature not below the modulus', () => {
      expect(reasonOf({ dg15: rsaChip.dg15, challenge, signature: new Uint8Array(256).fill(0xff) })).toBe(
        'signature_invalid',
      );
    });

    it('signatures of the wrong size or encoding', () => {
      expect(reasonOf({ dg15: rsaChip.dg15, challenge, signature: randomBytes(255) })).toBe('signature_malformed');
      // Neither r ‖ s (64 bytes) nor DER (a SEQUENCE starts 0x30): fixed bytes, since random ones start 0x30 one time in 256.
      expect(reasonOf({ dg15: ecChip.dg15, challenge, signature: new Uint8Array(63).fill(0x5a) })).toBe(
        'signature_malformed',
      );
      expect(reasonOf({ dg15: ecChip.dg15, challenge, signature: new Uint8Array(0) })).toBe('signature_malformed');
    });

    it('a challenge shorter than 8 bytes', () => {
      const short = randomBytes(7);
      const signature = createChallengeSigner(ecChip.privateKey)(short);
      expect(reasonOf({ dg15: ecChip.dg15, challenge: short, signature })).toBe('challenge_malformed');
    });

    it('a DG15 that is not a 0x6F SubjectPublicKeyInfo', () => {
      const signature = createChallengeSigner(ecChip.privateKey)(challenge);
      const spki = ecChip.dg15.subarray(2);
      expect(reasonOf({ dg15: spki, challenge, signature })).toBe('dg15_malformed');
      expect(reasonOf({ dg15: encodeDg15(randomBytes(40)), challenge, signature })).toBe('dg15_malformed');
    });

    it('a key that is neither RSA nor EC', () => {
      const ed25519 = chip(generateKeyPairSync('ed25519'));
      expect(reasonOf({ dg15: ed25519.dg15, challenge, signature: randomBytes(64) })).toBe('unsupported_key');
    });

    it('hostile input with ActiveAuthError only', () => {
      for (let round = 0; round < 200; round++) {
        const input = {
          dg15: round % 2 ? rsaChip.dg15 : ecChip.dg15,
          challenge: randomBytes(8 + (round % 5)),
          signature: randomBytes(round % 3 === 0 ? 256 : round % 130),
        };
        expect(() => activeAuthentication(input)).toThrow(ActiveAuthError);
        expect(() => activeAuthentication({ ...input, dg15: randomBytes(round) })).toThrow(ActiveAuthError);
      }
    });
  });
});
