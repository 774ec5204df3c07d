import { checkNoCommentsIn } from './check-no-comments-in.js';
import { parseSamlXml } from './parse-saml-xml.js';
import { refusalOf } from './testing/expect-refused.js';
import { logoutRequestXml, signMessage } from './testing/saml-messages.js';
import { createTestSigner } from './testing/test-signer.js';
import { xmlCryptoAccepts } from './testing/xml-crypto-verdict.js';

const VALUES = ['Issuer', 'NameID', 'SessionIndex'];
const check = (xml: string) => checkNoCommentsIn(parseSamlXml(xml), VALUES);

describe('checkNoCommentsIn', () => {
  it('accepts plain text values and empty elements', () => {
    expect(() => check(logoutRequestXml())).not.toThrow();
    expect(() => check(logoutRequestXml(''))).not.toThrow();
  });

  it('refuses a comment injected into a NameID, which a signature over exclusive c14n does not see', () => {
    const signer = createTestSigner();
    const signed = signMessage(logoutRequestXml('admin@example.com.evil.com'), signer);
    const injected = signed.replace('admin@example.com.evil.com', 'admin@example.com<!---->.evil.com');
    // The comment does not break the SP's signature, and the first text node now reads admin@example.com.
    expect(xmlCryptoAccepts(injected, signer.certificatePem)).toBe(true);
    const nameId = parseSamlXml(injected).getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'NameID')[0];
    expect(nameId?.firstChild?.nodeValue).toBe('admin@example.com');
    expect(refusalOf(() => check(injected))).toBe('comment_in_value');
  });

  it.each([
    ['a comment in the NameID', logoutRequestXml('admin@example.com<!-- x -->.evil.com')],
    ['a comment alone in the NameID', logoutRequestXml('<!---->admin@example.com')],
    ['a CDATA section in the NameID', logoutRequestXml('admin@<![CDATA[example.com]]>')],
    ['a child element in the NameID', logoutRequestXml('admin<x:b xmlns:x="urn:x">@example.com</x:b>')],
    [
      'a comment in the Issuer',
      logoutRequestXml().replace(
        'https://sp.example.org</saml:Issuer>',
        'https://sp.example.org<!---->.evil</saml:Issuer>',
      ),
    ],
    ['a comment in the SessionIndex', logoutRequestXml().replace('_session-1<', '_session-1<!---->2<')],
  ])('refuses %s', (_case, xml) => {
    expect(refusalOf(() => check(xml))).toBe('comment_in_value');
  });

  it('matches by local name in any namespace and leaves other elements alone', () => {
    const other = logoutRequestXml().replace(
      '</samlp:LogoutRequest>',
      '<samlp:Extensions><x:Note xmlns:x="urn:x">a<!---->b</x:Note></samlp:Extensions></samlp:LogoutRequest>',
    );
    expect(() => check(other)).not.toThrow();
    const lookalike = other.replace(/x:Note/g, 'x:NameID');
    expect(refusalOf(() => check(lookalike))).toBe('comment_in_value');
  });
});
