/** Why Active Authentication (ICAO 9303 part 11 §6.1) refused; spec §3 answers `422 active_auth_failed`. */
export const ACTIVE_AUTH_REASONS = [
  /** DG15 is not a 0x6F template holding a SubjectPublicKeyInfo. */
  'dg15_malformed',
  /** The DG15 key is neither RSA nor EC. */
  'unsupported_key',
  /** The challenge is shorter than the 8 bytes of ICAO 9303 part 11 §6.1 (RND.IFD). */
  'challenge_malformed',
  /** The signature has the wrong length or encoding for the key. */
  'signature_malformed',
  /** The signature does not verify over this challenge with the DG15 key. */
  'signature_invalid',
] as const;

export type ActiveAuthReason = (typeof ACTIVE_AUTH_REASONS)[number];

export class ActiveAuthError extends Error {
  override readonly name = 'ActiveAuthError';

  constructor(
    readonly reason: ActiveAuthReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${message}`, options);
  }
}
