import { sign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { TestSigner } from './test-signer.js';

/** Options of {@link signedRedirectQuery}. */
export interface RedirectQueryOptions {
  xml: string;
  signer: TestSigner;
  parameter?: 'SAMLRequest' | 'SAMLResponse';
  relayState?: string;
  sigAlg?: string;
  /** The hash node:crypto signs with; follows `sigAlg` in honest senders. */
  hash?: string;
  /** How the SP percent-encodes values (encodeURIComponent, or another valid encoding). */
  encode?: (value: string) => string;
  /** ECDSA signature encoding the SP writes. */
  dsaEncoding?: 'der' | 'ieee-p1363';
}

/**
 * An HTTP-Redirect query string signed as an SP signs it (saml-bindings §3.4.4.1): DEFLATE + base64 + URL-encode
 * the message, then sign `SAMLRequest=…&RelayState=…&SigAlg=…` with the SP's key and append `&Signature=…`.
 */
export function signedRedirectQuery({
  xml,
  signer,
  parameter = 'SAMLRequest',
  relayState,
  sigAlg = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  hash = 'sha256',
  encode = encodeURIComponent,
  dsaEncoding = 'der',
}: RedirectQueryOptions): string {
  const signedParameters = [
    `${parameter}=${encode(deflateRawSync(xml).toString('base64'))}`,
    ...(relayState === undefined ? [] : [`RelayState=${encode(relayState)}`]),
    `SigAlg=${encode(sigAlg)}`,
  ].join('&');
  const signature = sign(hash, Buffer.from(signedParameters), { key: signer.privateKeyPem, dsaEncoding });
  return `${signedParameters}&Signature=${encode(signature.toString('base64'))}`;
}

/** Percent-encoding with lower-case hex digits, valid (RFC 3986 §2.1) but not what encodeURIComponent writes. */
export function encodeLowerCase(value: string): string {
  return encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}
