import { AsnConvert } from '@peculiar/asn1-schema';
import { toBytes } from './bytes.js';
import { hashAlgorithmOf, type HashAlgorithmName } from './hash-algorithm.js';
import { LdsSecurityObject } from './lds-security-object.js';
import { PassiveAuthError } from './passive-auth-error.js';

export interface DataGroupHashes {
  hashAlgorithm: HashAlgorithmName;
  /** Data group number (1–16) → the hash the Document Signer signed. */
  hashes: ReadonlyMap<number, Uint8Array>;
}

const FIRST_DATA_GROUP = 1;
const LAST_DATA_GROUP = 16;

/**
 * The signed data-group hashes (ICAO 9303 part 10, LDS Security Object). Read only after the SOD signature verified, so
 * what it says is the Document Signer's word. The SIZE (2..16) lower bound is left to the per-group checks, so a
 * SOD without DG2 reports `dg2_missing`, which says more than `sod_malformed`.
 */
export function readLdsSecurityObject(der: Uint8Array): DataGroupHashes {
  let lds: LdsSecurityObject;
  try {
    lds = AsnConvert.parse(der, LdsSecurityObject);
  } catch (error) {
    throw new PassiveAuthError('sod_malformed', 'the LDS Security Object does not parse', { cause: error });
  }
  if (lds.version !== 0 && lds.version !== 1) {
    throw new PassiveAuthError('sod_malformed', `LDS Security Object version ${lds.version}`);
  }

  const hashAlgorithm = hashAlgorithmOf(lds.hashAlgorithm);
  if (!hashAlgorithm) {
    throw new PassiveAuthError('unsupported_hash_algorithm', `LDS hash algorithm ${lds.hashAlgorithm.algorithm}`);
  }

  const hashes = new Map<number, Uint8Array>();
  for (const entry of lds.dataGroupHashValues) {
    const number = entry.dataGroupNumber;
    if (!Number.isInteger(number) || number < FIRST_DATA_GROUP || number > LAST_DATA_GROUP || hashes.has(number)) {
      throw new PassiveAuthError('sod_malformed', `data group number ${number} is out of range or repeated`);
    }
    hashes.set(number, toBytes(entry.dataGroupHashValue.buffer));
  }
  return { hashAlgorithm, hashes };
}
