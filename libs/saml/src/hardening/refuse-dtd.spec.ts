import { refuseDtd } from './refuse-dtd.js';
import { refusalOf } from './testing/expect-refused.js';
import { authnRequestXml } from './testing/saml-messages.js';

const request = authnRequestXml();
const body = request.replace('<saml:Issuer>https://sp.example.org</saml:Issuer>', '<saml:Issuer>&lol9;</saml:Issuer>');

const billionLaughs =
  '<?xml version="1.0"?>\n<!DOCTYPE samlp:AuthnRequest [\n  <!ENTITY lol "lol">\n' +
  Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">\n`).join('') +
  ']>\n' +
  body;

const externalEntity =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE samlp:AuthnRequest [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n' +
  request.replace('https://sp.example.org</saml:Issuer>', '&xxe;</saml:Issuer>');

describe('refuseDtd', () => {
  it('accepts a message without DTD, with or without the XML declaration, a BOM and comments', () => {
    expect(() => refuseDtd(request)).not.toThrow();
    expect(() =>
      refuseDtd(`\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- from the SP -->\n${request}`),
    ).not.toThrow();
    expect(() =>
      refuseDtd(request.replace('https://sp.example.org<', '<![CDATA[https://sp.example.org]]><')),
    ).not.toThrow();
  });

  it('refuses billion laughs (internal entity expansion) before any parser runs', () => {
    expect(refusalOf(() => refuseDtd(billionLaughs))).toBe('doctype');
  });

  it('refuses an external entity reading file:///etc/passwd (XXE)', () => {
    expect(refusalOf(() => refuseDtd(externalEntity))).toBe('doctype');
  });

  it.each([
    ['a lower-case doctype', `<!doctype foo>${request}`],
    [
      'a DOCTYPE after a BOM, the XML declaration, whitespace and comments',
      `\uFEFF<?xml version="1.0"?>\n <!-- c -->\n<!DocType x SYSTEM "http://evil.example/x.dtd">${request}`,
    ],
    ['a public external DTD', `<!DOCTYPE x PUBLIC "-//EVIL//DTD" "http://evil.example/x.dtd">${request}`],
    ['an ENTITY declaration alone', `<!ENTITY x "y">${request}`],
    ['a parameter entity', `<!DOCTYPE x [<!ENTITY % p SYSTEM "http://evil.example/p">%p;]>${request}`],
    ['a DOCTYPE hidden inside a comment', `<!-- <!DOCTYPE x> -->${request}`],
    ['an ENTITY inside a CDATA section', request.replace('https://sp.example.org<', '<![CDATA[<!ENTITY x "y">]]><')],
    ['an ELEMENT declaration', `<!ELEMENT x ANY>${request}`],
  ])('refuses %s', (_case, xml) => {
    expect(refusalOf(() => refuseDtd(xml))).toBe('doctype');
  });

  it.each([
    [
      'a stylesheet processing instruction',
      `<?xml-stylesheet type="text/xsl" href="http://evil.example/x.xsl"?>${request}`,
    ],
    ['a processing instruction inside the message', request.replace('<saml:Issuer>', '<?evil data?><saml:Issuer>')],
    ['a second XML declaration', `<?xml version="1.0"?><?xml version="1.0"?>${request}`],
    ['an XML declaration not at the start', `${request}<?xml version="1.0"?>`],
  ])('refuses %s', (_case, xml) => {
    expect(refusalOf(() => refuseDtd(xml))).toBe('processing_instruction');
  });
});
