import { SamlRequestRefused } from './saml-request-refused.js';

/** The digest algorithms accepted in a `ds:Reference` (RFC 6931 §2.1.3 / xmlenc): SHA-256, SHA-384, SHA-512. */
export const DIGEST_ALG_ALLOWED = [
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512',
] as const;

const ALLOWED: ReadonlySet<string> = new Set(DIGEST_ALG_ALLOWED);

/**
 * Refuses a reference digest that is not SHA-2: a SHA-1 digest lets a colliding document carry the same signature,
 * whatever the signature algorithm.
 */
export function checkDigestAlg(uri: string): void {
  if (ALLOWED.has(uri)) return;
  if (uri === 'http://www.w3.org/2000/09/xmldsig#sha1') {
    throw new SamlRequestRefused('sig_alg', 'SHA-1 digests are refused');
  }
  throw new SamlRequestRefused('sig_alg', 'unknown or not allowed digest algorithm');
}
