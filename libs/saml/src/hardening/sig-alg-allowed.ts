import { SamlRequestRefused } from './saml-request-refused.js';

/**
 * The signature algorithms accepted, embedded (`SignatureMethod`) or detached (HTTP-Redirect `SigAlg`): RSA PKCS#1
 * v1.5 and ECDSA with SHA-2 (RFC 6931 §2.3.2 / §2.3.6, xmldsig-more). Everything else is refused, SHA-1 first of
 * all (collision-broken, saml-sec-consider §6.5).
 */
export const SIG_ALG_ALLOWED = [
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
] as const;

/** One of {@link SIG_ALG_ALLOWED}. */
export type AllowedSigAlg = (typeof SIG_ALG_ALLOWED)[number];

/** What a signature algorithm URI means for node:crypto: the hash and the key type it needs. */
export interface SigAlgSpec {
  uri: AllowedSigAlg;
  hash: 'sha256' | 'sha384' | 'sha512';
  keyType: 'rsa' | 'ec';
}

const SPECS: Readonly<Record<AllowedSigAlg, Omit<SigAlgSpec, 'uri'>>> = {
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': { hash: 'sha256', keyType: 'rsa' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': { hash: 'sha384', keyType: 'rsa' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': { hash: 'sha512', keyType: 'rsa' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': { hash: 'sha256', keyType: 'ec' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': { hash: 'sha384', keyType: 'ec' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': { hash: 'sha512', keyType: 'ec' },
};

const SHA1_SIG_ALGS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#dsa-sha1',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
]);

/**
 * Refuses a signature algorithm URI that is not in {@link SIG_ALG_ALLOWED} (SHA-1 and unknown URIs alike, compared
 * exactly) and says how to verify an allowed one. Never falls back to a default: an unknown `SigAlg` once made
 * samlify verify with SHA-1.
 */
export function checkSigAlg(uri: string): SigAlgSpec {
  if (isAllowed(uri)) return { uri, ...SPECS[uri] };
  if (SHA1_SIG_ALGS.has(uri)) throw new SamlRequestRefused('sig_alg', 'SHA-1 signature algorithms are refused');
  throw new SamlRequestRefused('sig_alg', 'unknown or not allowed signature algorithm');
}

function isAllowed(uri: string): uri is AllowedSigAlg {
  return (SIG_ALG_ALLOWED as readonly string[]).includes(uri);
}
