import { SignedXml } from 'xml-crypto';
import type { TestSigner } from './test-signer.js';

/** URIs the test messages are signed with (the accepted ones unless a test says otherwise). */
export const XMLDSIG = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  excC14nWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

/** An AuthnRequest as an SP sends it (saml-core §3.4.1), with the ID and ACS URL a test chooses. */
export function authnRequestXml({
  id = '_a1b2c3d4e5f60718293a4b5c6d7e8f90',
  acsUrl = 'https://sp.example.org/saml/acs',
}: { id?: string; acsUrl?: string } = {}): string {
  return (
    '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ' +
    'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ' +
    `ID="${id}" Version="2.0" IssueInstant="2025-01-01T00:00:00Z" ` +
    'Destination="https://idp.example.com/saml/sso" ' +
    'ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" ' +
    `AssertionConsumerServiceURL="${acsUrl}">` +
    '<saml:Issuer>https://sp.example.org</saml:Issuer>' +
    '<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" AllowCreate="true"/>' +
    '</samlp:AuthnRequest>'
  );
}

/** A LogoutRequest (saml-core §3.7.1) whose NameID content is given verbatim, so a test can inject markup. */
export function logoutRequestXml(nameIdContent = 'admin@example.com'): string {
  return (
    '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ' +
    'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ' +
    'ID="_0f1e2d3c4b5a69788796a5b4c3d2e1f0" Version="2.0" IssueInstant="2025-01-01T00:00:00Z" ' +
    'Destination="https://idp.example.com/saml/slo">' +
    '<saml:Issuer>https://sp.example.org</saml:Issuer>' +
    `<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${nameIdContent}</saml:NameID>` +
    '<samlp:SessionIndex>_session-1</samlp:SessionIndex>' +
    '</samlp:LogoutRequest>'
  );
}

/** Algorithm choices of {@link signMessage}; the defaults are what a careful SP uses. */
export interface SignOptions {
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  canonicalizationAlgorithm?: string;
  transforms?: string[];
}

/**
 * Signs a message as an SP does, with xml-crypto: an enveloped signature over the root (reference `#` + its ID),
 * exclusive c14n, RSA-SHA256 / SHA-256, the certificate in KeyInfo, placed right after the Issuer.
 */
export function signMessage(xml: string, signer: TestSigner, options: SignOptions = {}): string {
  const signature = new SignedXml({
    privateKey: signer.privateKeyPem,
    publicCert: signer.certificatePem,
    signatureAlgorithm: options.signatureAlgorithm ?? XMLDSIG.rsaSha256,
    canonicalizationAlgorithm: options.canonicalizationAlgorithm ?? XMLDSIG.excC14n,
  });
  signature.addReference({
    xpath: '/*',
    digestAlgorithm: options.digestAlgorithm ?? XMLDSIG.sha256,
    transforms: options.transforms ?? [XMLDSIG.enveloped, XMLDSIG.excC14n],
  });
  signature.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' },
  });
  return signature.getSignedXml();
}
