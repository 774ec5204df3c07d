import {
  CERTIFICATE_REFERENCE_LENGTH,
  FORMAT_VERSION,
  HEAD_LENGTH,
  IAC_PATTERN,
  MAGIC,
  MANIFEST_ID_MAX,
  OFFSET,
  SIGNATURE_LENGTH,
  UINT32_MAX,
  isKnownCin,
} from './layout.js';
import { packMap } from './messagepack.js';

/** The fields of PREFIX ‖ HEADER that the caller chooses (version and payload length follow from the format). */
export interface VdsHeadFields {
  /** 3 upper-case ASCII letters. */
  iac: string;
  cin: number;
  manifestId: number;
  /** 8 bytes. */
  certificateReference: Uint8Array;
  /** Unix seconds, uint32. */
  signingTime: number;
}

/** Everything a VDS binary is made of. */
export interface VdsParts extends VdsHeadFields {
  payloadBytes: Uint8Array;
  /** Raw r ‖ s, 64 bytes. */
  signature: Uint8Array;
  auxData?: Record<string, unknown>;
}

const isUint = (value: number, max: number) => Number.isInteger(value) && value >= 0 && value <= max;

/**
 * PREFIX ‖ HEADER (spec §2), the 25 bytes signed as they are. Throws a RangeError for a field the format cannot
 * hold: that is a programming error, never a property of a received credential.
 */
export function encodeHead(fields: VdsHeadFields, payloadLength: number): Uint8Array {
  if (!IAC_PATTERN.test(fields.iac))
    throw new RangeError(`IAC must be 3 upper-case ASCII letters, got "${fields.iac}"`);
  if (!isKnownCin(fields.cin)) throw new RangeError(`CIN must be 0x01, 0x02 or 0x03, got ${fields.cin}`);
  if (!isUint(fields.manifestId, MANIFEST_ID_MAX)) throw new RangeError('manifest ID must fit in 3 bytes');
  if (fields.certificateReference.length !== CERTIFICATE_REFERENCE_LENGTH) {
    throw new RangeError(`certificate reference must be ${CERTIFICATE_REFERENCE_LENGTH} bytes`);
  }
  if (!isUint(fields.signingTime, UINT32_MAX)) throw new RangeError('signing time must be a uint32 (Unix seconds)');
  if (!isUint(payloadLength, UINT32_MAX)) throw new RangeError('payload length must be a uint32');

  const head = new Uint8Array(HEAD_LENGTH);
  const view = new DataView(head.buffer);
  head[0] = MAGIC;
  head.set(Buffer.from(fields.iac, 'ascii'), OFFSET.iac);
  head[OFFSET.cin] = fields.cin;
  head[OFFSET.version] = FORMAT_VERSION;
  // spec §2: manifest ID is 3 bytes big-endian.
  head[OFFSET.manifestId] = fields.manifestId >>> 16;
  view.setUint16(OFFSET.manifestId + 1, fields.manifestId & 0xffff);
  head.set(fields.certificateReference, OFFSET.certificateReference);
  view.setUint32(OFFSET.signingTime, fields.signingTime);
  view.setUint32(OFFSET.payloadLength, payloadLength);
  return head;
}

/** The full binary: PREFIX ‖ HEADER ‖ PAYLOAD ‖ SIGNATURE ‖ AUXDATA (spec §2). Nothing is signed here. */
export function encodeVdsBinary(parts: VdsParts): Uint8Array {
  if (parts.signature.length !== SIGNATURE_LENGTH) throw new RangeError(`signature must be ${SIGNATURE_LENGTH} bytes`);
  const head = encodeHead(parts, parts.payloadBytes.length);
  const auxData = parts.auxData === undefined ? new Uint8Array(0) : packMap(parts.auxData);
  const binary = new Uint8Array(head.length + parts.payloadBytes.length + SIGNATURE_LENGTH + auxData.length);
  binary.set(head, 0);
  binary.set(parts.payloadBytes, head.length);
  binary.set(parts.signature, head.length + parts.payloadBytes.length);
  binary.set(auxData, head.length + parts.payloadBytes.length + SIGNATURE_LENGTH);
  return binary;
}
