import { parseSamlXml } from './parse-saml-xml.js';
import { refusalOf } from './testing/expect-refused.js';
import { authnRequestXml, logoutRequestXml } from './testing/saml-messages.js';

const request = authnRequestXml();
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';

describe('parseSamlXml', () => {
  it('parses an AuthnRequest and a LogoutRequest into a document with a SAML protocol root', () => {
    const document = parseSamlXml(`\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- SP -->\n${request}\n`);
    expect(document.documentElement?.localName).toBe('AuthnRequest');
    expect(document.documentElement?.namespaceURI).toBe(PROTOCOL);
    expect(parseSamlXml(logoutRequestXml()).documentElement?.localName).toBe('LogoutRequest');
  });

  it('refuses a DTD before parsing (external entity, billion laughs)', () => {
    const xxe = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${request.replace('</saml:Issuer>', '&x;</saml:Issuer>')}`;
    expect(refusalOf(() => parseSamlXml(xxe))).toBe('doctype');
    expect(refusalOf(() => parseSamlXml(`<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]>${request}`))).toBe('doctype');
  });

  it.each([
    ['text before the root', `junk${request}`],
    ['text after the root', `${request}junk`],
    ['a second root element', `${request}<samlp:Other xmlns:samlp="${PROTOCOL}"/>`],
    ['a stray end tag after the root', `${request}</samlp:AuthnRequest>`],
    ['an unclosed root', request.replace('</samlp:AuthnRequest>', '')],
    ['an unclosed child', request.replace('</saml:Issuer>', '')],
    ['mismatched tags', request.replace('</saml:Issuer>', '</saml:Issuers>')],
    ['a truncated document', request.slice(0, 120)],
    ['an unquoted attribute', request.replace('Version="2.0"', 'Version=2.0')],
    ['attributes without whitespace between them', request.replace('" Version=', '"Version=')],
    ['a duplicated attribute', request.replace('Version="2.0"', 'Version="2.0" Version="1.1"')],
    ['"<" in an attribute value', request.replace('Version="2.0"', 'Version="2<0"')],
    ['a bare "&"', request.replace('https://sp.example.org</saml:Issuer>', 'a & b</saml:Issuer>')],
    ['an undefined entity', request.replace('https://sp.example.org</saml:Issuer>', '&foo;</saml:Issuer>')],
    ['a reference to character 0', request.replace('https://sp.example.org</saml:Issuer>', 'a&#0;b</saml:Issuer>')],
    ['a raw control character', request.replace('https://sp.example.org</saml:Issuer>', 'a\u0001b</saml:Issuer>')],
    ['a lone surrogate', request.replace('https://sp.example.org</saml:Issuer>', 'a\uD800b</saml:Issuer>')],
    ['"]]>" in text', request.replace('https://sp.example.org</saml:Issuer>', 'a]]>b</saml:Issuer>')],
    ['"--" inside a comment', request.replace('<saml:Issuer>', '<!-- a -- b --><saml:Issuer>')],
    ['an unterminated comment', request.replace('<saml:Issuer>', '<!-- <saml:Issuer>')],
    ['an undeclared namespace prefix', request.replace('<saml:Issuer>', '<x:Foo/><saml:Issuer>')],
    ['an undeclared attribute prefix', request.replace('Version="2.0"', 'x:a="1" Version="2.0"')],
    ['a non-UTF-8 encoding declaration', `<?xml version="1.0" encoding="ISO-8859-1"?>${request}`],
    ['whitespace inside "/ >"', request.replace('AllowCreate="true"/>', 'AllowCreate="true"/ >')],
    ['an empty document', ''],
    ['text only', 'hello'],
  ])('refuses %s as malformed', (_case, xml) => {
    expect(refusalOf(() => parseSamlXml(xml))).toBe('malformed_xml');
  });

  it.each([
    ['a metadata document', '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>'],
    ['an assertion', '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a"/>'],
    ['a root without namespace', '<AuthnRequest ID="_a"/>'],
    ['a look-alike namespace', request.replace(`xmlns:samlp="${PROTOCOL}"`, `xmlns:samlp="${PROTOCOL} "`)],
  ])('refuses %s as an unexpected root', (_case, xml) => {
    expect(refusalOf(() => parseSamlXml(xml))).toBe('unexpected_root');
  });
});
