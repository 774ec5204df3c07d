import type { KeyObject } from 'node:crypto';

/** The order n of the P-256 group (SEC 2 §2.4.2). */
export const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_ORDER = P256_ORDER >> 1n;
const SCALAR_BYTES = 32;

export const isP256Key = (key: KeyObject): boolean =>
  key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';

const toBigInt = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
const toScalarBytes = (value: bigint) => Buffer.from(value.toString(16).padStart(SCALAR_BYTES * 2, '0'), 'hex');

/**
 * (r, s) and (r, n − s) are both valid signatures of one message. The spec's fingerprint hashes the signature, so
 * accepting both would let anyone give a revoked credential a fresh fingerprint: only s ≤ n/2 is produced or
 * accepted (docs/decisions.md, "low-s").
 */
export function isLowS(rawSignature: Uint8Array): boolean {
  return toBigInt(rawSignature.subarray(SCALAR_BYTES)) <= HALF_ORDER;
}

/** The low-s twin of a raw r ‖ s signature (itself when s ≤ n/2). */
export function toLowS(rawSignature: Uint8Array): Uint8Array {
  if (isLowS(rawSignature)) return new Uint8Array(rawSignature);
  const s = toBigInt(rawSignature.subarray(SCALAR_BYTES));
  const lowS = new Uint8Array(rawSignature);
  lowS.set(toScalarBytes(P256_ORDER - s), SCALAR_BYTES);
  return lowS;
}
