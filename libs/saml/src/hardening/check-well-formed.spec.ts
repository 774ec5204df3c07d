import { checkWellFormed } from './check-well-formed.js';
import { parseSamlXml } from './parse-saml-xml.js';
import { refusalOf } from './testing/expect-refused.js';
import { authnRequestXml } from './testing/saml-messages.js';

const request = authnRequestXml();
const issuer = (content: string): string =>
  request.replace('https://sp.example.org</saml:Issuer>', `${content}</saml:Issuer>`);

describe('checkWellFormed', () => {
  it.each([
    ['the five predefined entities', issuer('a &lt;&gt;&amp;&quot;&apos; b')],
    ['character references', issuer('&#233;&#xE9;&#x1F600;')],
    ['characters outside the BMP', issuer('\u{1F600}')],
    ['a CDATA section', issuer('<![CDATA[a < b & c]]>')],
    ['">" in text and attributes', request.replace('Version="2.0"', 'Version="2.0" x:a="1>0" xmlns:x="urn:x"')],
    ['single-quoted attributes', request.replace('Version="2.0"', "Version='2.0'")],
    ['whitespace around "=" and before ">"', request.replace('Version="2.0"', 'Version = "2.0"\n')],
    ['an end tag with trailing whitespace', request.replace('</saml:Issuer>', '</saml:Issuer >')],
    ['a standalone declaration', `<?xml version="1.0" encoding="utf-8" standalone="yes"?>${request}`],
    ['comments and whitespace around the root', `<!-- a -->\n${request}\n<!-- b -->\n`],
    ['non-ASCII names', request.replace(/saml:Issuer/g, 'saml:Éméteur')],
  ])('accepts %s', (_case, xml) => {
    expect(() => checkWellFormed(xml)).not.toThrow();
    expect(() => parseSamlXml(xml)).not.toThrow();
  });

  it('refuses elements nested deeper than 100 levels', () => {
    const nested = (depth: number): string =>
      issuer(`${'<x:a xmlns:x="urn:x">'.repeat(depth)}${'</x:a>'.repeat(depth)}`);
    // The root and its Issuer are two levels already.
    expect(() => checkWellFormed(nested(98))).not.toThrow();
    expect(refusalOf(() => checkWellFormed(nested(99)))).toBe('too_large');
    expect(refusalOf(() => parseSamlXml(nested(20_000)))).toBe('too_large');
  });
});
