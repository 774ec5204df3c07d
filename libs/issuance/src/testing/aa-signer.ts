import { constants, createHash, privateEncrypt, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  HEADER_PARTIAL_RECOVERY,
  ISO9796_HASH_IDENTIFIERS,
  ISO9796_HASH_LENGTHS,
  TRAILER_EXPLICIT,
  TRAILER_IMPLICIT,
  type Iso9796HashAlgorithm,
} from '../icao/iso9796-2.js';

export type AaKind = 'ecdsa' | 'rsa';

export interface ChallengeSignerOptions {
  /** RSA only: the ISO/IEC 9796-2 hash; SHA-1 uses the implicit 0xBC trailer. Default SHA-256. */
  rsaHashAlgorithm?: Iso9796HashAlgorithm;
  /** ECDSA only: plain r ‖ s (BSI TR-03111, what chips send) or DER. Default raw. */
  ecdsaEncoding?: 'raw' | 'der';
}

export type ChallengeSigner = (challenge: Uint8Array) => Uint8Array;

const NODE_HASHES: Readonly<Record<Iso9796HashAlgorithm, string>> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** What a chip does on INTERNAL AUTHENTICATE (ICAO 9303 part 11 §6.1), with its DG15 private key. */
export function createChallengeSigner(privateKey: KeyObject, options: ChallengeSignerOptions = {}): ChallengeSigner {
  if (privateKey.asymmetricKeyType === 'ec') {
    const fieldBits = ecFieldBits(privateKey);
    const hash = fieldBits <= 256 ? 'sha256' : fieldBits <= 384 ? 'sha384' : 'sha512';
    const dsaEncoding = options.ecdsaEncoding === 'der' ? 'der' : 'ieee-p1363';
    return (challenge) => sign(hash, challenge, { key: privateKey, dsaEncoding });
  }
  if (privateKey.asymmetricKeyType === 'rsa') {
    return (challenge) => signIso9796Scheme1(privateKey, challenge, options.rsaHashAlgorithm ?? 'SHA-256');
  }
  throw new Error(`no Active Authentication with a ${privateKey.asymmetricKeyType ?? 'unknown'} key`);
}

/**
 * ISO/IEC 9796-2 scheme 1, partial recovery, as part 11 §6.1 has the chip do it: F = 0x6A ‖ M1 ‖ H(M1 ‖ M2) ‖
 * trailer, M1 random and as long as fits, M2 the challenge; then the raw RSA private operation on F.
 */
function signIso9796Scheme1(
  privateKey: KeyObject,
  challenge: Uint8Array,
  hashAlgorithm: Iso9796HashAlgorithm,
): Uint8Array {
  const modulusBytes = Math.ceil((privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  const trailer =
    hashAlgorithm === 'SHA-1'
      ? Uint8Array.of(TRAILER_IMPLICIT)
      : Uint8Array.of(ISO9796_HASH_IDENTIFIERS[hashAlgorithm], TRAILER_EXPLICIT);
  const m1 = randomBytes(modulusBytes - 1 - ISO9796_HASH_LENGTHS[hashAlgorithm] - trailer.length);
  const digest = createHash(NODE_HASHES[hashAlgorithm]).update(m1).update(challenge).digest();
  const header = Uint8Array.of((HEADER_PARTIAL_RECOVERY << 4) | 0x0a);
  const representative = Buffer.concat([header, m1, digest, trailer]);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, representative);
}

const EC_FIELD_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

function ecFieldBits(key: KeyObject): number {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const size = curve ? EC_FIELD_BITS[curve] : undefined;
  if (!size) throw new Error(`no test AA with curve ${curve ?? 'unknown'}`);
  return size;
}
