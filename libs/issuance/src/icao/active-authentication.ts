import { constants, createHash, publicDecrypt, verify, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { ActiveAuthError } from './active-auth-error.js';
import { bytesEqual } from './bytes.js';
import { nodeHashName, type HashAlgorithmName } from './hash-algorithm.js';
import { readIso9796Scheme1, type Iso9796HashAlgorithm } from './iso9796-2.js';
import { TlvError, unwrapTlv } from './tlv.js';
import { importPublicKey } from './verify-signature.js';

/** ICAO 9303 part 10, DG15: template 0x6F holding the chip's SubjectPublicKeyInfo. */
export const DG15_TAG = 0x6f;
/** ICAO 9303 part 11 §6.1: RND.IFD is 8 bytes; a shorter challenge is too easy to have been signed before. */
export const MIN_CHALLENGE_BYTES = 8;

/** Spec §3 `aa`: the chip's DG15, the challenge the station sent, and the chip's answer. */
export interface ActiveAuthInput {
  dg15: Uint8Array;
  challenge: Uint8Array;
  signature: Uint8Array;
}

export interface ActiveAuthResult {
  keyType: 'rsa' | 'ec';
  hashAlgorithm: Iso9796HashAlgorithm;
}

const NODE_SHA1 = 'sha1';

/**
 * ICAO 9303 part 11 §6.1 Active Authentication: the chip proved it holds the private key of DG15 by signing the
 * challenge. DG15 itself must already have passed passive authentication, which is what ties the key to this
 * document. Throws ActiveAuthError only.
 */
export function activeAuthentication(input: ActiveAuthInput): ActiveAuthResult {
  try {
    return authenticate(input);
  } catch (error) {
    if (error instanceof ActiveAuthError) throw error;
    // Nothing unexpected may pass as success or escape as another type: what we could not check did not verify.
    throw new ActiveAuthError('signature_invalid', 'the signature could not be checked', { cause: error });
  }
}

function authenticate(input: ActiveAuthInput): ActiveAuthResult {
  if (input.challenge.length < MIN_CHALLENGE_BYTES) {
    throw new ActiveAuthError('challenge_malformed', `the challenge has ${input.challenge.length} bytes`);
  }
  const subjectPublicKeyInfo = readDg15(input.dg15);
  const key = importPublicKey(subjectPublicKeyInfo);
  if (!key) throw new ActiveAuthError('dg15_malformed', 'node:crypto cannot use the DG15 public key');

  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { keyType: 'rsa', hashAlgorithm: verifyRsaIso9796(key, input) };
    case 'ec':
      return { keyType: 'ec', hashAlgorithm: verifyEcdsa(key, subjectPublicKeyInfo, input) };
    default:
      throw new ActiveAuthError('unsupported_key', `DG15 holds a ${key.asymmetricKeyType ?? 'unknown'} key`);
  }
}

function readDg15(dg15: Uint8Array): Uint8Array {
  try {
    return unwrapTlv(dg15, DG15_TAG);
  } catch (error) {
    if (error instanceof TlvError) throw new ActiveAuthError('dg15_malformed', error.message, { cause: error });
    throw error;
  }
}

/**
 * RSA: ISO/IEC 9796-2 signature scheme 1 with partial message recovery (part 11 §6.1). node:crypto does the
 * public operation; we check the recovered structure and that H(M1 ‖ challenge) is the hash it carries.
 */
function verifyRsaIso9796(key: KeyObject, input: ActiveAuthInput): Iso9796HashAlgorithm {
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (input.signature.length !== modulusBytes) {
    throw new ActiveAuthError('signature_malformed', `${input.signature.length} bytes for a ${modulusBytes}-byte key`);
  }
  let representative: Uint8Array;
  try {
    representative = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, input.signature);
  } catch (error) {
    // OpenSSL refuses a signature not below the modulus.
    throw new ActiveAuthError('signature_invalid', 'the RSA public operation refused the signature', { cause: error });
  }
  const recovered = readIso9796Scheme1(representative);
  if (!recovered)
    throw new ActiveAuthError('signature_invalid', 'the recovered message is not ISO/IEC 9796-2 scheme 1');

  const hashName = recovered.hashAlgorithm === 'SHA-1' ? NODE_SHA1 : nodeHashName(recovered.hashAlgorithm);
  const expected = createHash(hashName).update(recovered.m1).update(input.challenge).digest();
  if (!bytesEqual(expected, recovered.hash)) {
    throw new ActiveAuthError('signature_invalid', 'the signature is not over this challenge with this key');
  }
  return recovered.hashAlgorithm;
}

/**
 * ECDSA (part 11 §6.1, BSI TR-03111): the chip signs the challenge itself. The hash follows the key size, since
 * spec §3 carries no DG14 (where a chip announces it); the signature may be plain r ‖ s (TR-03111 §5.2.1) or DER.
 */
function verifyEcdsa(key: KeyObject, subjectPublicKeyInfo: Uint8Array, input: ActiveAuthInput): HashAlgorithmName {
  const fieldBytes = ecFieldBytes(subjectPublicKeyInfo);
  const hashAlgorithm: HashAlgorithmName = fieldBytes <= 32 ? 'SHA-256' : fieldBytes <= 48 ? 'SHA-384' : 'SHA-512';
  let dsaEncoding: 'ieee-p1363' | 'der';
  if (input.signature.length === 2 * fieldBytes) dsaEncoding = 'ieee-p1363';
  else if (input.signature[0] === 0x30) dsaEncoding = 'der';
  else throw new ActiveAuthError('signature_malformed', 'the signature is neither r ‖ s nor DER');

  let valid: boolean;
  try {
    valid = verify(nodeHashName(hashAlgorithm), input.challenge, { key, dsaEncoding }, input.signature);
  } catch (error) {
    throw new ActiveAuthError('signature_malformed', 'the ECDSA signature does not decode', { cause: error });
  }
  if (!valid) throw new ActiveAuthError('signature_invalid', 'the signature is not over this challenge with this key');
  return hashAlgorithm;
}

/** The field size of an EC key, from its encoded point (SEC 1 §2.3.3: 04 ‖ X ‖ Y, or 02/03 ‖ X). */
function ecFieldBytes(subjectPublicKeyInfo: Uint8Array): number {
  try {
    const point = new Uint8Array(AsnConvert.parse(subjectPublicKeyInfo, SubjectPublicKeyInfo).subjectPublicKey);
    if (point[0] === 0x04 && point.length % 2 === 1) return (point.length - 1) / 2;
    if ((point[0] === 0x02 || point[0] === 0x03) && point.length > 1) return point.length - 1;
  } catch (error) {
    throw new ActiveAuthError('dg15_malformed', 'the EC public key does not parse', { cause: error });
  }
  throw new ActiveAuthError('dg15_malformed', 'the EC public key is not an encoded point');
}
