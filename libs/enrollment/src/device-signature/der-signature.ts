import { verify, type KeyObject } from 'node:crypto';
import { ECDSASigValue } from '@peculiar/asn1-ecc';
import { AsnConvert } from '@peculiar/asn1-schema';

/** Order n of the P-256 group (SEC 2 §2.4.2). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

export type DerSignatureDefect = 'not_der' | 'non_canonical' | 'integer_not_minimal' | 'out_of_range';

/** Why a device signature was refused before any verification. */
export class DerSignatureError extends Error {
  override readonly name = 'DerSignatureError';
  constructor(readonly defect: DerSignatureDefect) {
    super(`device signature is not a strict DER ECDSA-Sig-Value (${defect})`);
  }
}

/** A DER INTEGER's content must be minimal and positive: no 0x00 pad unless the next byte has its top bit set. */
function positiveMinimalInteger(bytes: Uint8Array): bigint {
  const [first = 0x80, second = 0x80] = bytes;
  if (bytes.length === 0 || first & 0x80) throw new DerSignatureError('integer_not_minimal');
  if (first === 0 && bytes.length > 1 && !(second & 0x80)) throw new DerSignatureError('integer_not_minimal');
  return BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

/**
 * Spec §5.1: device signatures are ECDSA P-256 as ASN.1 DER, parsed strictly — raw r‖s, BER length forms,
 * trailing bytes, non-minimal integers, and r or s equal to 0 or ≥ n are refused.
 */
export function parseStrictDerSignature(signature: Uint8Array): { r: bigint; s: bigint } {
  let parsed: ECDSASigValue;
  try {
    parsed = AsnConvert.parse(signature, ECDSASigValue);
  } catch {
    throw new DerSignatureError('not_der');
  }
  // Re-encoding must give the same bytes: rules out long-form lengths, indefinite lengths and trailing data.
  if (!Buffer.from(AsnConvert.serialize(parsed)).equals(Buffer.from(signature))) {
    throw new DerSignatureError('non_canonical');
  }
  const r = positiveMinimalInteger(new Uint8Array(parsed.r));
  const s = positiveMinimalInteger(new Uint8Array(parsed.s));
  if (r === 0n || s === 0n || r >= P256_ORDER || s >= P256_ORDER) throw new DerSignatureError('out_of_range');
  return { r, s };
}

/** Verifies a strict-DER ECDSA P-256 / SHA-256 signature over `message`; throws DerSignatureError for bad encodings. */
export function verifyDeviceSignature(publicKey: KeyObject, message: string, signatureDer: Uint8Array): boolean {
  parseStrictDerSignature(signatureDer);
  return verify('sha256', Buffer.from(message, 'utf8'), { key: publicKey, dsaEncoding: 'der' }, signatureDer);
}
