import { DomainError } from '#idtoken/platform';

/** Which rule of spec §2 step 4 a signing certificate broke; the problem document carries it as `check`. */
export type UntrustedCheck =
  | 'public_key_mismatch'
  | 'no_path_to_anchor'
  | 'not_a_ca'
  | 'path_length'
  | 'outside_validity'
  | 'certificate_revoked'
  | 'unhandled_critical_extension'
  | 'key_usage'
  | 'key_type'
  | 'usage_list_missing'
  | 'usage_list_malformed'
  | 'usage_list_mismatch';

/** spec §2 step 4 fails with `vds_untrusted_signer`; `check` says which rule. */
export function untrusted(check: UntrustedCheck, detail: string): DomainError {
  return new DomainError('vds_untrusted_signer', detail, { check });
}
