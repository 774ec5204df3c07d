/**
 * The namespace and algorithm URIs the hardening checks compare against. Kept here (not shared with the rest of
 * the SAML library) so this folder stays self-contained and a rename elsewhere cannot loosen a check.
 */
export const HARDENING_NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  dsig11: 'http://www.w3.org/2009/xmldsig11#',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
} as const;

/** The only transforms (and SignedInfo canonicalization) accepted on a signed message. */
export const TRANSFORMS = {
  envelopedSignature: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
} as const;
