import { verify, type KeyObject } from 'node:crypto';

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
 *
 * The structure is fixed (SEQUENCE { INTEGER r, INTEGER s }, at most 72 bytes, so every DER length is one short-form
 * byte) and read here directly: a general ASN.1 decoder plus re-encoding cost more than the signature verification
 * itself on every login (docs/performance.md). OpenSSL still verifies the same bytes with `dsaEncoding: 'der'`.
 */
export function parseStrictDerSignature(signature: Uint8Array): { r: bigint; s: bigint } {
  if (signature.length < 8 || signature[0] !== 0x30) throw new DerSignatureError('not_der');
  const length = signature[1] ?? 0;
  // A long form (0x81 …) is BER, never DER, for a length below 128.
  if (length & 0x80) throw new DerSignatureError('non_canonical');
  // Truncated, or bytes after the SEQUENCE.
  if (length !== signature.length - 2) throw new DerSignatureError('not_der');
  const first = readInteger(signature, 2);
  const second = readInteger(signature, first.end);
  if (second.end !== signature.length) throw new DerSignatureError('not_der');
  const r = positiveMinimalInteger(first.content);
  const s = positiveMinimalInteger(second.content);
  if (r === 0n || s === 0n || r >= P256_ORDER || s >= P256_ORDER) throw new DerSignatureError('out_of_range');
  return { r, s };
}

/** The INTEGER (tag 0x02, short-form length) at `offset`: its content bytes and where the next element starts. */
function readInteger(bytes: Uint8Array, offset: number): { content: Uint8Array; end: number } {
  if (bytes[offset] !== 0x02) throw new DerSignatureError('not_der');
  const length = bytes[offset + 1] ?? 0;
  if (length & 0x80) throw new DerSignatureError('non_canonical');
  const end = offset + 2 + length;
  if (end > bytes.length) throw new DerSignatureError('not_der');
  return { content: bytes.subarray(offset + 2, end), end };
}

/** Verifies a strict-DER ECDSA P-256 / SHA-256 signature over `message`; throws DerSignatureError for bad encodings. */
export function verifyDeviceSignature(publicKey: KeyObject, message: string, signatureDer: Uint8Array): boolean {
  parseStrictDerSignature(signatureDer);
  return verify('sha256', Buffer.from(message, 'utf8'), { key: publicKey, dsaEncoding: 'der' }, signatureDer);
}
