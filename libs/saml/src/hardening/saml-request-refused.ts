/**
 * The reasons the hardening checks give. A short, stable code the HTTP layer can log and count; the message says
 * more for the log, but is never needed to decide the response (always a 400 / a SAML Requester status).
 */
export type HardeningRefusalReason =
  | 'too_large'
  | 'inflate_too_large'
  | 'not_base64'
  | 'not_deflate'
  | 'not_utf8'
  | 'doctype'
  | 'processing_instruction'
  | 'malformed_xml'
  | 'unexpected_root'
  | 'duplicate_id'
  | 'signature_shape'
  | 'sig_alg'
  | 'comment_in_value'
  | 'malformed_query';

/**
 * Why an inbound SAML message was refused: one of {@link HardeningRefusalReason}, or a code of a later step of the
 * intake (unknown issuer, stale IssueInstant, replay…), which throws the same class.
 */
// `string & {}` keeps the known codes offered by the editor while any other code is accepted.
export type SamlRefusalReason = HardeningRefusalReason | (string & {});

/**
 * Thrown by every hardening check when an inbound SAML message must not reach samlify. One class so the HTTP layer
 * needs one `instanceof` to map it to a 400 / SAML error status; `reason` says which check refused it.
 */
export class SamlRequestRefused extends Error {
  override readonly name = 'SamlRequestRefused';

  constructor(
    readonly reason: SamlRefusalReason,
    message: string,
  ) {
    super(`${reason}: ${message}`);
  }
}
