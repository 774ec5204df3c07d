import { createHash } from 'node:crypto';
import { CERTIFICATE_REFERENCE_LENGTH } from './layout.js';

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** spec §2 HEADER: the first 8 bytes of SHA-256 of the signing certificate's DER. */
export function certificateReference(certificateDer: Uint8Array): Uint8Array {
  return sha256(certificateDer).slice(0, CERTIFICATE_REFERENCE_LENGTH);
}

/** spec §2: hex(SHA-256(binary without AUXDATA)); revocation lists use it. */
export function vdsFingerprint(binaryWithoutAuxData: Uint8Array): string {
  return Buffer.from(sha256(binaryWithoutAuxData)).toString('hex');
}
