import { hardenInboundXml } from './harden-inbound-xml.js';
import { refusalOf } from './testing/expect-refused.js';
import { authnRequestXml, logoutRequestXml, signMessage } from './testing/saml-messages.js';
import { createTestSigner } from './testing/test-signer.js';

describe('hardenInboundXml', () => {
  let signed: string;

  beforeAll(() => {
    signed = signMessage(authnRequestXml(), createTestSigner());
  });

  it('returns the document and whether it is signed', () => {
    const { document, signed: isSigned } = hardenInboundXml(signed, { embeddedSignature: 'required' });
    expect(document.documentElement?.localName).toBe('AuthnRequest');
    expect(isSigned).toBe(true);
    expect(hardenInboundXml(authnRequestXml(), { embeddedSignature: 'allowed' }).signed).toBe(false);
    expect(hardenInboundXml(logoutRequestXml(), { embeddedSignature: 'forbidden' }).signed).toBe(false);
  });

  it('refuses an unsigned message when a signature is required', () => {
    expect(refusalOf(() => hardenInboundXml(authnRequestXml(), { embeddedSignature: 'required' }))).toBe(
      'signature_shape',
    );
  });

  it('refuses an embedded signature on an HTTP-Redirect message', () => {
    expect(refusalOf(() => hardenInboundXml(signed, { embeddedSignature: 'forbidden' }))).toBe('signature_shape');
  });

  it('runs every check: DTD, duplicate IDs, comments in values', () => {
    expect(refusalOf(() => hardenInboundXml(`<!DOCTYPE x>${signed}`, { embeddedSignature: 'allowed' }))).toBe(
      'doctype',
    );
    const duplicate = authnRequestXml().replace(
      '</saml:Issuer>',
      '</saml:Issuer><samlp:Extensions><x:A xmlns:x="urn:x" ID="_1"/><x:B xmlns:x="urn:x" ID="_1"/></samlp:Extensions>',
    );
    expect(refusalOf(() => hardenInboundXml(duplicate, { embeddedSignature: 'allowed' }))).toBe('duplicate_id');
    const injected = logoutRequestXml('admin@example.com<!---->.evil.com');
    expect(refusalOf(() => hardenInboundXml(injected, { embeddedSignature: 'allowed' }))).toBe('comment_in_value');
  });
});
