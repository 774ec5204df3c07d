import { AsnConvert } from '@peculiar/asn1-schema';
import { toBytes } from './bytes.js';
import { checkDataGroupHash } from './check-data-group-hash.js';
import { findDocumentSigner } from './find-document-signer.js';
import type { HashAlgorithmName } from './hash-algorithm.js';
import { PassiveAuthError } from './passive-auth-error.js';
import { readLdsSecurityObject } from './read-lds-security-object.js';
import { readMrz, type MrzData } from './read-mrz.js';
import { readSod } from './read-sod.js';
import { verifyDocumentSignerChain } from './verify-document-signer-chain.js';
import { verifySodSignature } from './verify-sod-signature.js';

/** The chip's files as the station read them (spec §3 `dg1`, `dg2`, `sod`, `aa.dg15`), whole, tag included. */
export interface PassiveAuthInput {
  dg1: Uint8Array;
  dg2: Uint8Array;
  sod: Uint8Array;
  /** Given when Active Authentication is used: the SOD must then vouch for this key too (spec §3). */
  dg15?: Uint8Array;
}

export interface PassiveAuthOptions {
  /** The CSCA master list (spec §9 `POST /admin/trust/csca`), DER. */
  cscaCertificates: readonly Uint8Array[];
  /** The instant certificate validity is judged at, and the reference for two-digit birth years. */
  now: Date;
}

export interface PassiveAuthResult {
  mrz: MrzData;
  /** The LDS Security Object's hash algorithm. */
  hashAlgorithm: HashAlgorithmName;
  /** The Document Signer certificate that signed the SOD, for the audit trail. */
  documentSignerDer: Uint8Array;
}

/**
 * ICAO 9303 part 11 §5.1 passive authentication, spec §3. The checks run in the order of part 11 §5.1 and the
 * first failure throws a PassiveAuthError naming it. Anything else thrown below — a parser surprised by hostile
 * bytes — is reported as `sod_malformed`, so callers only ever see PassiveAuthError.
 */
export function passiveAuthentication(input: PassiveAuthInput, options: PassiveAuthOptions): PassiveAuthResult {
  try {
    // Step 1: read EF.SOD and find its signer.
    const sod = readSod(input.sod);
    const documentSigner = findDocumentSigner(sod);
    // Step 2: the certification path CSCA → DSC.
    verifyDocumentSignerChain(documentSigner, options.cscaCertificates, options.now);
    // Step 3: the DSC signed the SOD; only now is the LDS Security Object the issuer's word.
    verifySodSignature(sod, documentSigner);
    const signedHashes = readLdsSecurityObject(sod.ldsSecurityObjectDer);
    // Steps 4–5: the data groups the station read are the ones the issuer signed.
    checkDataGroupHash(1, input.dg1, signedHashes);
    checkDataGroupHash(2, input.dg2, signedHashes);
    if (input.dg15) checkDataGroupHash(15, input.dg15, signedHashes);
    // Spec §3: the MRZ parses with valid check digits.
    const mrz = readMrz(input.dg1, options.now);
    return {
      mrz,
      hashAlgorithm: signedHashes.hashAlgorithm,
      documentSignerDer: toBytes(AsnConvert.serialize(documentSigner)),
    };
  } catch (error) {
    if (error instanceof PassiveAuthError) throw error;
    throw new PassiveAuthError('sod_malformed', 'the document could not be read', { cause: error });
  }
}
