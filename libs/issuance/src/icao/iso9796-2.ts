import type { HashAlgorithmName } from './hash-algorithm.js';

/** ICAO 9303 part 11 §6.1 allows SHA-1 for Active Authentication; a fresh challenge makes collisions moot. */
export type Iso9796HashAlgorithm = 'SHA-1' | HashAlgorithmName;

/** ISO/IEC 10118-3 hash-function identifiers, as the byte before 0xCC in an ISO/IEC 9796-2 trailer. */
export const ISO9796_HASH_IDENTIFIERS: Readonly<Record<Iso9796HashAlgorithm, number>> = {
  'SHA-1': 0x33,
  'SHA-256': 0x34,
  'SHA-512': 0x35,
  'SHA-384': 0x36,
};

export const ISO9796_HASH_LENGTHS: Readonly<Record<Iso9796HashAlgorithm, number>> = {
  'SHA-1': 20,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};

/** Trailer 0xBC: the hash is implicit, SHA-1 (ISO/IEC 9796-2 option 1); 0xCC: the byte before names it. */
export const TRAILER_IMPLICIT = 0xbc;
export const TRAILER_EXPLICIT = 0xcc;
/** Header '01' + more-data bit 1 (partial recovery: the challenge is the non-recoverable M2) + '0'. */
export const HEADER_PARTIAL_RECOVERY = 0x6;
/** Padding nibbles: 0xB repeated, ended by 0xA, after which M1 starts (ISO/IEC 9796-2). */
const PADDING_NIBBLE = 0xb;
const BORDER_NIBBLE = 0xa;

export interface RecoveredMessage {
  /** The recoverable part of the message, chosen by the chip. */
  m1: Uint8Array;
  /** H(M1 ‖ M2) as the chip computed it. */
  hash: Uint8Array;
  hashAlgorithm: Iso9796HashAlgorithm;
}

/**
 * Reads the message representative F recovered from an ISO/IEC 9796-2 scheme 1 signature (after the RSA public
 * operation): `header ‖ padding ‖ M1 ‖ H(M1 ‖ M2) ‖ trailer`, as ICAO 9303 part 11 §6.1 has the chip build
 * it. Structure only — the caller compares the hash. Returns undefined for any F that is not of this shape.
 */
export function readIso9796Scheme1(representative: Uint8Array): RecoveredMessage | undefined {
  const last = representative.length - 1;
  if (last < 2 || representative[0] >> 4 !== HEADER_PARTIAL_RECOVERY) return undefined;

  let hashAlgorithm: Iso9796HashAlgorithm | undefined;
  let trailerLength: number;
  if (representative[last] === TRAILER_IMPLICIT) {
    hashAlgorithm = 'SHA-1';
    trailerLength = 1;
  } else if (representative[last] === TRAILER_EXPLICIT) {
    const identifier = representative[last - 1];
    hashAlgorithm = (Object.keys(ISO9796_HASH_IDENTIFIERS) as Iso9796HashAlgorithm[]).find(
      (name) => ISO9796_HASH_IDENTIFIERS[name] === identifier,
    );
    trailerLength = 2;
  } else {
    return undefined;
  }
  if (!hashAlgorithm) return undefined;

  const m1Start = paddingEnd(representative);
  const hashStart = representative.length - trailerLength - ISO9796_HASH_LENGTHS[hashAlgorithm];
  if (m1Start === undefined || hashStart <= m1Start) return undefined;
  return {
    m1: representative.subarray(m1Start, hashStart),
    hash: representative.subarray(hashStart, representative.length - trailerLength),
    hashAlgorithm,
  };
}

/** Index of the first byte of M1: after the low nibble of byte 0, zero or more 0xB nibbles and one 0xA. */
function paddingEnd(representative: Uint8Array): number | undefined {
  if ((representative[0] & 0x0f) === BORDER_NIBBLE) return 1;
  if ((representative[0] & 0x0f) !== PADDING_NIBBLE) return undefined;
  for (let index = 1; index < representative.length; index++) {
    const byte = representative[index];
    if (byte === ((PADDING_NIBBLE << 4) | BORDER_NIBBLE)) return index + 1;
    if (byte !== ((PADDING_NIBBLE << 4) | PADDING_NIBBLE)) return undefined;
  }
  return undefined;
}
