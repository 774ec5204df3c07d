import { verify, X509Certificate, type KeyObject } from 'node:crypto';
import { decodeBase64Strict } from './decode-base64-strict.js';
import { parseRedirectQuery } from './parse-redirect-query.js';
import { SamlRequestRefused } from './saml-request-refused.js';
import { checkSigAlg, type SigAlgSpec } from './sig-alg-allowed.js';

/** Input of {@link verifyRedirectSignature}. */
export interface VerifyRedirectSignatureInput {
  /** The query string exactly as received (with or without the leading `?`), never re-encoded. */
  rawQuery: string;
  /** The SP's pinned signing certificates (PEM), from its metadata; any one of them may have signed. */
  certificatesPem: readonly string[];
}

/** An RSA-8192 signature is 1024 bytes; nothing legitimate is larger. */
const MAX_SIGNATURE_BYTES = 1024;

/**
 * Verifies the detached signature of an HTTP-Redirect message (saml-bindings §3.4.4.1) against the SP's pinned
 * certificates: over the raw `SAMLRequest`/`SAMLResponse`, `RelayState` and `SigAlg` substrings as received,
 * with the SigAlg checked against {@link checkSigAlg} first (never a default, never SHA-1). Returns true if one
 * certificate verifies it, false if none does. Refuses (throws) a query without SigAlg/Signature or with a SAML
 * parameter twice, and a Signature that is not base64. ECDSA signatures are accepted DER-encoded (what JCA and
 * OpenSSL produce) and, as XML-DSig writes them (RFC 4050 r‖s), in IEEE P1363 form. A certificate that is not PEM
 * is a configuration error and throws as such (not a refusal of the request).
 */
export function verifyRedirectSignature({ rawQuery, certificatesPem }: VerifyRedirectSignatureInput): boolean {
  const query = parseRedirectQuery(rawQuery);
  if (query.sigAlg === undefined || query.signature === undefined || query.signedContent === undefined) {
    throw new SamlRequestRefused('malformed_query', 'no SigAlg and Signature parameters');
  }
  const spec = checkSigAlg(query.sigAlg);
  const signature = decodeBase64Strict(query.signature, { maxBytes: MAX_SIGNATURE_BYTES, allowLineBreaks: false });
  const signed = Buffer.from(query.signedContent, 'utf8');
  return certificatesPem.some((pem) => verifiesWith(spec, signed, signature, new X509Certificate(pem).publicKey));
}

function verifiesWith(spec: SigAlgSpec, signed: Buffer, signature: Buffer, key: KeyObject): boolean {
  if (key.asymmetricKeyType !== spec.keyType) return false;
  const encodings = spec.keyType === 'ec' ? (['der', 'ieee-p1363'] as const) : (['der'] as const);
  return encodings.some((dsaEncoding) => {
    try {
      return verify(spec.hash, signed, { key, dsaEncoding }, signature);
    } catch {
      return false;
    }
  });
}
