import { bytesEqual } from './bytes.js';
import { digest } from './hash-algorithm.js';
import { PassiveAuthError, type PassiveAuthCheck } from './passive-auth-error.js';
import type { DataGroupHashes } from './read-lds-security-object.js';

/** The data groups passive authentication looks at, with the checks that name their failures. */
const CHECKS = {
  1: { missing: 'dg1_missing', hash: 'dg1_hash' },
  2: { missing: 'dg2_missing', hash: 'dg2_hash' },
  15: { missing: 'dg15_missing', hash: 'dg15_hash' },
} as const satisfies Record<number, { missing: PassiveAuthCheck; hash: PassiveAuthCheck }>;

export type CheckedDataGroup = keyof typeof CHECKS;

/**
 * ICAO 9303 part 11 §5.1 step 5: the data group as read from the chip hashes, with the LDS hash algorithm, to
 * the value the Document Signer signed. The whole file is hashed, tag and length included (part 10).
 */
export function checkDataGroupHash(number: CheckedDataGroup, dataGroup: Uint8Array, signed: DataGroupHashes): void {
  const expected = signed.hashes.get(number);
  if (!expected) throw new PassiveAuthError(CHECKS[number].missing, `the SOD holds no hash for DG${number}`);
  if (!bytesEqual(digest(signed.hashAlgorithm, dataGroup), expected)) {
    throw new PassiveAuthError(CHECKS[number].hash, `DG${number} does not match its ${signed.hashAlgorithm} hash`);
  }
}
