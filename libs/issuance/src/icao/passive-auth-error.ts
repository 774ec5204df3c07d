/**
 * The named checks of ICAO 9303 passive authentication (part 11 §5.1), in the order they run. Spec §3 answers
 * `422 passive_auth_failed` with the failing one, so every value here is part of the wire contract: add one only
 * together with its line in the list below and in docs.
 */
export const PASSIVE_AUTH_CHECKS = [
  /** EF.SOD is not a 0x77-wrapped CMS SignedData with one SignerInfo over an LDS Security Object. */
  'sod_malformed',
  /** SignedData.certificates holds no certificate matching the SignerInfo's signer identifier. */
  'dsc_missing',
  /** No configured CSCA issued and signed the Document Signer certificate. */
  'dsc_untrusted',
  /** The CSCA that signed the DSC is outside its validity period at `now`. */
  'csca_expired',
  /** The DSC is outside its validity period at `now`. */
  'dsc_expired',
  /** The CMS signature, or its signed content-type / message-digest attributes, do not verify. */
  'sod_signature',
  /** A digest algorithm (LDS or CMS) other than SHA-256/384/512. */
  'unsupported_hash_algorithm',
  /** The LDS Security Object holds no hash for DG1. */
  'dg1_missing',
  /** The LDS Security Object holds no hash for DG2. */
  'dg2_missing',
  /** DG15 was supplied (Active Authentication) but the LDS Security Object holds no hash for it. */
  'dg15_missing',
  /** DG1 does not hash to the value in the LDS Security Object. */
  'dg1_hash',
  /** DG2 does not hash to the value in the LDS Security Object. */
  'dg2_hash',
  /** DG15 does not hash to the value in the LDS Security Object. */
  'dg15_hash',
  /** DG1 holds no TD1/TD3 MRZ (tag 0x61 → 0x5F1F) with well-formed fields. */
  'mrz_malformed',
  /** The MRZ is well formed but a check digit is wrong (ICAO 9303 part 3 §4.9). */
  'mrz_check_digit',
  /** Checked by the issuance gateway after the chip: the document's expiry date has passed (or is unreadable). */
  'document_expired',
] as const;

export type PassiveAuthCheck = (typeof PASSIVE_AUTH_CHECKS)[number];

/**
 * The only error passive authentication throws, for any input however hostile. `check` is the stable code for
 * spec §3's `passive_auth_failed`; `message` is for logs and may change.
 */
export class PassiveAuthError extends Error {
  override readonly name = 'PassiveAuthError';

  constructor(
    readonly check: PassiveAuthCheck,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${check}: ${message}`, options);
  }
}
