import { VDS_ENVIRONMENT } from '../types.js';

// spec §2 binary layout: PREFIX (5) ‖ HEADER (20) ‖ PAYLOAD ‖ SIGNATURE (64) ‖ AUXDATA.
export const MAGIC = 0xde;
export const PREFIX_LENGTH = 5;
export const HEADER_LENGTH = 20;
/** PREFIX ‖ HEADER: the fixed-size head that is signed as is. */
export const HEAD_LENGTH = PREFIX_LENGTH + HEADER_LENGTH;
export const FORMAT_VERSION = 0x01;
export const CERTIFICATE_REFERENCE_LENGTH = 8;
export const SIGNATURE_LENGTH = 64;
export const UINT32_MAX = 0xffff_ffff;
export const MANIFEST_ID_MAX = 0xff_ffff;

/** spec §2 text form. */
export const VDS_TEXT_PREFIX = 'VDS1:';

/** Offsets inside the head. */
export const OFFSET = {
  iac: 1,
  cin: 4,
  version: 5,
  manifestId: 6,
  certificateReference: 9,
  signingTime: 17,
  payloadLength: 21,
} as const;

export const IAC_PATTERN = /^[A-Z]{3}$/;

const KNOWN_CINS: readonly number[] = Object.values(VDS_ENVIRONMENT);
export const isKnownCin = (cin: number): boolean => KNOWN_CINS.includes(cin);

export const hexManifestId = (manifestId: number): string =>
  `0x${manifestId.toString(16).toUpperCase().padStart(6, '0')}`;
