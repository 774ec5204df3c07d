import { certificateReference } from './vds-contract.js';

/** spec §2 HEADER: the reference (first 8 bytes of SHA-256 of the DER) as lower-case hex, as the VRL spells it. */
export function certificateReferenceHex(certificateDer: Uint8Array): string {
  return Buffer.from(certificateReference(certificateDer)).toString('hex');
}

/** True for 16 lower-case hex characters: a certificate reference as the VRL and the database spell it. */
export function isCertificateReferenceHex(text: string): boolean {
  return /^[0-9a-f]{16}$/.test(text);
}

/** spec §2: a VDS fingerprint is hex(SHA-256(…)), 64 characters; we keep it lower-case. */
export function isFingerprintHex(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(text);
}
