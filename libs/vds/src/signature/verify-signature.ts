import { verify, type KeyObject } from 'node:crypto';
import { SIGNATURE_LENGTH } from '../codec/layout.js';
import type { DecodedVds } from '../types.js';
import { isLowS, isP256Key } from './p256.js';
import { vdsSignedMessage } from './signed-message.js';

/**
 * spec §2 step 5 alone, with no trust decision: is `decoded.signature` a valid raw r ‖ s ECDSA P-256 / SHA-256
 * signature by `publicKey` over PREFIX ‖ HEADER ‖ SHA-256(PAYLOAD)? r or s equal to 0 or ≥ n fail (OpenSSL checks
 * the range), as do high-s signatures (see p256.ts) and keys that are not P-256.
 */
export function verifySignatureOnly(decoded: DecodedVds, publicKey: KeyObject): boolean {
  if (decoded.signature.length !== SIGNATURE_LENGTH || !isP256Key(publicKey) || !isLowS(decoded.signature)) {
    return false;
  }
  try {
    return verify(
      'sha256',
      vdsSignedMessage(decoded),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      decoded.signature,
    );
  } catch {
    return false;
  }
}
