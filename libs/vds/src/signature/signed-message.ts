import { HEAD_LENGTH } from '../codec/layout.js';
import { sha256 } from '../codec/digests.js';
import type { DecodedVds } from '../types.js';

/**
 * spec §2 SIGNATURE: the message signed (with ECDSA P-256 / SHA-256) is PREFIX ‖ HEADER ‖ SHA-256(PAYLOAD), so the
 * signed digest is SHA-256(PREFIX ‖ HEADER ‖ SHA-256(PAYLOAD)).
 */
export function signedMessage(head: Uint8Array, payloadBytes: Uint8Array): Uint8Array {
  return Buffer.concat([head, sha256(payloadBytes)]);
}

/** The message a decoded credential's signature covers — what an independent verifier (openssl) checks. */
export function vdsSignedMessage(decoded: DecodedVds): Uint8Array {
  return signedMessage(decoded.binary.subarray(0, HEAD_LENGTH), decoded.payloadBytes);
}
