import { checkSignatureShape } from './check-signature-shape.js';
import { hardenInboundXml } from './harden-inbound-xml.js';
import { parseSamlXml } from './parse-saml-xml.js';
import { SamlRequestRefused } from './saml-request-refused.js';
import { refusalOf } from './testing/expect-refused.js';
import { authnRequestXml, signMessage, XMLDSIG, type SignOptions } from './testing/saml-messages.js';
import { WRAPPING_SHAPES } from './testing/signature-wrapping.js';
import { createTestSigner, type TestSigner } from './testing/test-signer.js';
import { xmlCryptoAccepts } from './testing/xml-crypto-verdict.js';

const ROOT_ID = '_a1b2c3d4e5f60718293a4b5c6d7e8f90';
const shapeOf = (xml: string, required = false) => checkSignatureShape(parseSamlXml(xml), { required });

let sp: TestSigner;
let attacker: TestSigner;
let signed: string;

beforeAll(() => {
  sp = createTestSigner('rsa');
  attacker = createTestSigner('rsa');
  signed = signMessage(authnRequestXml(), sp);
});

const signedWith = (options: SignOptions): string => signMessage(authnRequestXml(), sp, options);

describe('checkSignatureShape: what passes', () => {
  it('accepts an AuthnRequest an SP signed with xml-crypto (exc-c14n, RSA-SHA256, reference to the root ID)', () => {
    expect(signed).toContain(`<ds:Reference URI="#${ROOT_ID}">`);
    expect(xmlCryptoAccepts(signed, sp.certificatePem)).toBe(true);
    expect(shapeOf(signed, true)).toEqual({ signed: true });
    expect(hardenInboundXml(signed, { embeddedSignature: 'required' }).signed).toBe(true);
  });

  it('reports an unsigned request as such (HTTP-Redirect carries its signature in the query)', () => {
    expect(shapeOf(authnRequestXml())).toEqual({ signed: false });
  });

  it('refuses an unsigned request when a signature is required', () => {
    const action = () => shapeOf(authnRequestXml(), true);
    expect(refusalOf(action)).toBe('signature_shape');
    expect(action).toThrow(/signed request required/);
  });

  it('accepts the SHA-384 / SHA-512 digests and an ECDSA signature method in the shape', () => {
    expect(shapeOf(signedWith({ digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha512' }))).toEqual({
      signed: true,
    });
    const ecdsa = signed.replace(XMLDSIG.rsaSha256, 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384');
    expect(shapeOf(ecdsa)).toEqual({ signed: true });
  });

  it('accepts a signed request without Issuer, with the signature first', () => {
    const noIssuer = signMessage(authnRequestXml(), sp).replace(/<saml:Issuer>[^<]*<\/saml:Issuer>/, '');
    expect(shapeOf(noIssuer)).toEqual({ signed: true });
  });
});

describe('checkSignatureShape: the eight XML-signature-wrapping shapes (On Breaking SAML, XSW1-XSW8)', () => {
  // Which forged messages xml-crypto itself verifies with the SP's pinned certificate (samlify's signature
  // selection), and with which reason our checks refuse them: checkSignatureShape alone, and the whole pipeline.
  const expected: Record<string, { xmlCrypto: boolean; pipeline: string }> = {
    XSW1: { xmlCrypto: true, pipeline: 'signature_shape' },
    XSW2: { xmlCrypto: true, pipeline: 'signature_shape' },
    XSW3: { xmlCrypto: false, pipeline: 'duplicate_id' },
    XSW4: { xmlCrypto: false, pipeline: 'signature_shape' },
    XSW5: { xmlCrypto: true, pipeline: 'signature_shape' },
    XSW6: { xmlCrypto: true, pipeline: 'signature_shape' },
    XSW7: { xmlCrypto: true, pipeline: 'signature_shape' },
    XSW8: { xmlCrypto: false, pipeline: 'signature_shape' },
  };

  it('covers eight shapes', () => {
    expect(WRAPPING_SHAPES.map(({ name }) => name)).toEqual(Object.keys(expected));
  });

  it.each(WRAPPING_SHAPES.map((shape) => [shape.name, shape.description, shape] as const))(
    '%s (%s) is refused',
    (name, _description, shape) => {
      const forged = shape.build(signed, attacker);
      expect(forged).toContain('https://evil.example/acs');
      expect(xmlCryptoAccepts(forged, sp.certificatePem)).toBe(expected[name]?.xmlCrypto);
      expect(refusalOf(() => shapeOf(forged))).toBe('signature_shape');
      expect(refusalOf(() => hardenInboundXml(forged, { embeddedSignature: 'allowed' }))).toBe(
        expected[name]?.pipeline,
      );
    },
  );
});

describe('checkSignatureShape: other shapes refused', () => {
  it('refuses a signature moved after the request content (still cryptographically valid)', () => {
    const policy = /<samlp:NameIDPolicy[^>]*\/>/.exec(signed)?.[0] ?? '';
    const moved = signed.replace(policy, '').replace('</saml:Issuer>', `</saml:Issuer>${policy}`);
    expect(xmlCryptoAccepts(moved, sp.certificatePem)).toBe(true);
    expect(refusalOf(() => shapeOf(moved))).toBe('signature_shape');
  });

  it('refuses a signature placed before the Issuer', () => {
    const issuer = '<saml:Issuer>https://sp.example.org</saml:Issuer>';
    const swapped = signed.replace(issuer, '').replace('</ds:Signature>', `</ds:Signature>${issuer}`);
    expect(refusalOf(() => shapeOf(swapped))).toBe('signature_shape');
  });

  it('refuses another element carrying the root ID (the reference would be ambiguous)', () => {
    const extension = `<samlp:Extensions><x:Data xmlns:x="urn:x" ID="${ROOT_ID}"/></samlp:Extensions>`;
    const duplicated = signed.replace('</ds:Signature>', `</ds:Signature>${extension}`);
    expect(refusalOf(() => shapeOf(duplicated))).toBe('duplicate_id');
  });

  it('refuses an element named Signature in another namespace (samlify selects signatures by local name)', () => {
    const lookalike = signed.replace(
      '</ds:Signature>',
      '</ds:Signature><samlp:Extensions><x:Signature xmlns:x="urn:x"/></samlp:Extensions>',
    );
    expect(refusalOf(() => shapeOf(lookalike))).toBe('signature_shape');
  });

  it('refuses a second Signature in the same place', () => {
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)?.[0] ?? '';
    expect(refusalOf(() => shapeOf(signed.replace(signature, signature + signature)))).toBe('signature_shape');
  });

  it.each([
    ['a Reference to the whole document (URI="")', (xml: string) => xml.replace(`URI="#${ROOT_ID}"`, 'URI=""')],
    ['a Reference without URI', (xml: string) => xml.replace(` URI="#${ROOT_ID}"`, '')],
    ['a Reference by XPointer', (xml: string) => xml.replace(`URI="#${ROOT_ID}"`, `URI="#xpointer(id('${ROOT_ID}'))"`)],
    ['a root without ID', (xml: string) => xml.replace(` ID="${ROOT_ID}"`, '')],
    ['a root ID that is not an NCName', (xml: string) => xml.replace(new RegExp(ROOT_ID, 'g'), "x' or '1'='1")],
    ['two References', (xml: string) => xml.replace(/(<ds:Reference[\s\S]*<\/ds:Reference>)/, '$1$1')],
    ['a ds:Object', (xml: string) => xml.replace('</ds:KeyInfo>', '</ds:KeyInfo><ds:Object>x</ds:Object>')],
    [
      'a SAML element hidden in KeyInfo',
      (xml: string) => xml.replace('<ds:KeyInfo>', '<ds:KeyInfo><saml:NameID>admin@example.com</saml:NameID>'),
    ],
    [
      'a look-alike NameID in the XML-DSig namespace inside KeyInfo',
      (xml: string) => xml.replace('<ds:KeyInfo>', '<ds:KeyInfo><ds:NameID>admin@example.com</ds:NameID>'),
    ],
    ['a comment inside SignedInfo', (xml: string) => xml.replace('<ds:SignedInfo>', '<ds:SignedInfo><!-- x -->')],
    ['text inside SignedInfo', (xml: string) => xml.replace('<ds:SignedInfo>', '<ds:SignedInfo>text')],
    [
      'a second SignatureValue',
      (xml: string) => xml.replace(/(<ds:SignatureValue>[^<]*<\/ds:SignatureValue>)/, '$1$1'),
    ],
    [
      'an HMACOutputLength (truncated signature)',
      (xml: string) =>
        xml.replace(
          /<ds:SignatureMethod Algorithm="([^"]*)"\/>/,
          '<ds:SignatureMethod Algorithm="$1"><ds:HMACOutputLength>8</ds:HMACOutputLength></ds:SignatureMethod>',
        ),
    ],
    [
      'an XPath transform',
      (xml: string) =>
        xml.replace(
          '</ds:Transforms>',
          '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>1</ds:XPath></ds:Transform></ds:Transforms>',
        ),
    ],
  ])('refuses %s', (_case, mutate) => {
    expect(refusalOf(() => shapeOf(mutate(signed)))).toBe('signature_shape');
  });
});

describe('checkSignatureShape: algorithms', () => {
  it('refuses an RSA-SHA1 signature method (really signed with it)', () => {
    const sha1 = signedWith({ signatureAlgorithm: XMLDSIG.rsaSha1 });
    expect(xmlCryptoAccepts(sha1, sp.certificatePem)).toBe(true);
    expect(refusalOf(() => shapeOf(sha1))).toBe('sig_alg');
  });

  it('refuses a SHA-1 digest', () => {
    expect(refusalOf(() => shapeOf(signedWith({ digestAlgorithm: XMLDSIG.sha1 })))).toBe('sig_alg');
  });

  it('refuses an unknown signature method', () => {
    const unknown = signed.replace(XMLDSIG.rsaSha256, 'http://www.w3.org/2001/04/xmldsig-more#rsa-md5');
    expect(refusalOf(() => shapeOf(unknown))).toBe('sig_alg');
  });

  it.each([
    ['exclusive c14n with comments', [XMLDSIG.enveloped, XMLDSIG.excC14nWithComments]],
    ['inclusive c14n', [XMLDSIG.enveloped, XMLDSIG.c14n]],
    ['no enveloped-signature transform', [XMLDSIG.excC14n]],
    ['the enveloped-signature transform twice', [XMLDSIG.enveloped, XMLDSIG.enveloped]],
  ])('refuses a Reference with %s', (_case, transforms) => {
    expect(refusalOf(() => shapeOf(signedWith({ transforms })))).toBe('signature_shape');
  });

  it('refuses a SignedInfo canonicalized otherwise than with exclusive c14n', () => {
    expect(refusalOf(() => shapeOf(signedWith({ canonicalizationAlgorithm: XMLDSIG.c14n })))).toBe('signature_shape');
    const withComments = signedWith({ canonicalizationAlgorithm: XMLDSIG.excC14nWithComments });
    expect(refusalOf(() => shapeOf(withComments))).toBe('signature_shape');
  });

  it('throws SamlRequestRefused, not a generic error', () => {
    expect(() => shapeOf(signedWith({ digestAlgorithm: XMLDSIG.sha1 }))).toThrow(SamlRequestRefused);
  });
});
