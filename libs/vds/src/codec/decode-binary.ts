import type { DecodedVds } from '../types.js';
import { VdsError } from '../vds-error.js';
import { vdsFingerprint } from './digests.js';
import {
  CERTIFICATE_REFERENCE_LENGTH,
  FORMAT_VERSION,
  HEAD_LENGTH,
  IAC_PATTERN,
  MAGIC,
  OFFSET,
  PREFIX_LENGTH,
  SIGNATURE_LENGTH,
  isKnownCin,
} from './layout.js';
import { unpackMap } from './messagepack.js';

const malformed = (detail: string) => new VdsError('vds_malformed', detail);
const hexByte = (byte: number) => `0x${byte.toString(16).padStart(2, '0').toUpperCase()}`;

/**
 * Splits a VDS binary into its parts (spec §2 step 1). Checks structure only — which manifest, whether the
 * payload fits it and whether the signature is good are later steps. Throws VdsError('vds_malformed') only.
 */
export function decodeVdsBinary(input: Uint8Array): DecodedVds {
  // A private copy: the parts returned are views into it, and the caller may reuse its buffer.
  const bytes = new Uint8Array(input);
  const view = new DataView(bytes.buffer);

  if (bytes.length < PREFIX_LENGTH) throw malformed(`truncated prefix: ${bytes.length} of ${PREFIX_LENGTH} bytes`);
  if (bytes[0] !== MAGIC) throw malformed(`bad prefix: magic byte is ${hexByte(bytes[0])}, expected 0xDE`);
  const iac = Buffer.from(bytes.subarray(OFFSET.iac, OFFSET.iac + 3)).toString('latin1');
  if (!IAC_PATTERN.test(iac)) throw malformed('bad prefix: IAC is not 3 upper-case ASCII letters');
  const cin = bytes[OFFSET.cin];
  if (!isKnownCin(cin)) throw malformed(`bad prefix: unknown CIN ${hexByte(cin)} (expected 0x01, 0x02 or 0x03)`);

  if (bytes.length < HEAD_LENGTH) throw malformed(`truncated header: ${bytes.length - PREFIX_LENGTH} of 20 bytes`);
  const version = bytes[OFFSET.version];
  if (version !== FORMAT_VERSION) throw malformed(`unsupported header version ${hexByte(version)}, expected 0x01`);
  const manifestId = (bytes[OFFSET.manifestId] << 16) | view.getUint16(OFFSET.manifestId + 1);
  const certificateReference = bytes.subarray(
    OFFSET.certificateReference,
    OFFSET.certificateReference + CERTIFICATE_REFERENCE_LENGTH,
  );
  const signingTime = view.getUint32(OFFSET.signingTime);
  const payloadLength = view.getUint32(OFFSET.payloadLength);

  const payloadEnd = HEAD_LENGTH + payloadLength;
  if (payloadEnd > bytes.length) {
    throw malformed(
      `payload length ${payloadLength} runs beyond the input (${bytes.length - HEAD_LENGTH} bytes after the header)`,
    );
  }
  const signatureEnd = payloadEnd + SIGNATURE_LENGTH;
  if (signatureEnd > bytes.length) {
    throw malformed(`truncated signature: ${bytes.length - payloadEnd} of ${SIGNATURE_LENGTH} bytes`);
  }
  const payloadBytes = bytes.subarray(HEAD_LENGTH, payloadEnd);
  try {
    unpackMap(payloadBytes);
  } catch (error) {
    throw malformed(`payload is not a MessagePack map with string keys: ${reason(error)}`);
  }

  const auxBytes = bytes.subarray(signatureEnd);
  let auxData: Record<string, unknown> | undefined;
  if (auxBytes.length > 0) {
    try {
      auxData = unpackMap(auxBytes);
    } catch (error) {
      throw malformed(`the ${auxBytes.length} bytes after the signature are not a MessagePack map: ${reason(error)}`);
    }
  }

  const binary = bytes.subarray(0, signatureEnd);
  return {
    iac,
    cin,
    version,
    manifestId,
    certificateReference,
    signingTime,
    payloadBytes,
    signature: bytes.subarray(payloadEnd, signatureEnd),
    auxData,
    fingerprint: vdsFingerprint(binary),
    binary,
  };
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));
