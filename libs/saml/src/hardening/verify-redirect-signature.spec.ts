import { decodeRedirectMessage } from './decode-redirect-message.js';
import { parseRedirectQuery } from './parse-redirect-query.js';
import { refusalOf } from './testing/expect-refused.js';
import { encodeLowerCase, signedRedirectQuery } from './testing/redirect-query.js';
import { authnRequestXml, logoutRequestXml } from './testing/saml-messages.js';
import { createTestSigner, type TestSigner } from './testing/test-signer.js';
import { verifyRedirectSignature } from './verify-redirect-signature.js';

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';
const RELAY_STATE = 'https://sp.example.org/app?x=1&y=2';

let sp: TestSigner;
let other: TestSigner;
let ecSp: TestSigner;

beforeAll(() => {
  sp = createTestSigner('rsa');
  other = createTestSigner('rsa');
  ecSp = createTestSigner('ec');
});

const verify = (rawQuery: string, certificates = [sp.certificatePem]) =>
  verifyRedirectSignature({ rawQuery, certificatesPem: certificates });

describe('verifyRedirectSignature', () => {
  it('verifies an AuthnRequest an SP signed over SAMLRequest, RelayState and SigAlg', () => {
    const rawQuery = signedRedirectQuery({ xml: authnRequestXml(), signer: sp, relayState: RELAY_STATE });
    expect(verify(rawQuery)).toBe(true);
    expect(verify(`?${rawQuery}`)).toBe(true);
    const query = parseRedirectQuery(rawQuery);
    expect(decodeRedirectMessage(query.message)).toBe(authnRequestXml());
    expect(query.relayState).toBe(RELAY_STATE);
  });

  it('verifies without RelayState, and a SAMLResponse (LogoutResponse) too', () => {
    expect(verify(signedRedirectQuery({ xml: authnRequestXml(), signer: sp }))).toBe(true);
    expect(verify(signedRedirectQuery({ xml: logoutRequestXml(), signer: sp, parameter: 'SAMLResponse' }))).toBe(true);
  });

  it('fails when the RelayState was changed', () => {
    const rawQuery = signedRedirectQuery({ xml: authnRequestXml(), signer: sp, relayState: RELAY_STATE });
    const tampered = rawQuery.replace(/RelayState=[^&]*/, `RelayState=${encodeURIComponent('https://evil.example/')}`);
    expect(verify(tampered)).toBe(false);
  });

  it('fails when a RelayState was added, or removed', () => {
    const without = signedRedirectQuery({ xml: authnRequestXml(), signer: sp });
    expect(verify(without.replace('&SigAlg=', '&RelayState=x&SigAlg='))).toBe(false);
    const withRelay = signedRedirectQuery({ xml: authnRequestXml(), signer: sp, relayState: 'x' });
    expect(verify(withRelay.replace('&RelayState=x', ''))).toBe(false);
  });

  it('fails when the message was changed', () => {
    const rawQuery = signedRedirectQuery({ xml: authnRequestXml(), signer: sp });
    const evil = signedRedirectQuery({ xml: authnRequestXml({ acsUrl: 'https://evil.example/acs' }), signer: other });
    const evilMessage = /SAMLRequest=[^&]*/.exec(evil)?.[0] ?? '';
    expect(verify(rawQuery.replace(/SAMLRequest=[^&]*/, evilMessage))).toBe(false);
  });

  it('fails with a key that is not pinned, and passes if any pinned certificate verifies', () => {
    const rawQuery = signedRedirectQuery({ xml: authnRequestXml(), signer: other });
    expect(verify(rawQuery)).toBe(false);
    expect(verify(rawQuery, [sp.certificatePem, other.certificatePem])).toBe(true);
    expect(verify(rawQuery, [])).toBe(false);
  });

  it('verifies the octets as received: parameters in another order, lower-case percent-encoding', () => {
    const rawQuery = signedRedirectQuery({ xml: authnRequestXml(), signer: sp, relayState: RELAY_STATE });
    const [message, relay, sigAlg, signature] = rawQuery.split('&');
    expect(verify([signature, relay, 'foo=bar', sigAlg, message].join('&'))).toBe(true);
    const lower = signedRedirectQuery({
      xml: authnRequestXml(),
      signer: sp,
      relayState: RELAY_STATE,
      encode: encodeLowerCase,
    });
    expect(lower).toMatch(/%2f/);
    expect(verify(lower)).toBe(true);
  });

  it('verifies ECDSA signatures, DER-encoded and as r||s', () => {
    const der = signedRedirectQuery({ xml: authnRequestXml(), signer: ecSp, sigAlg: ECDSA_SHA256 });
    const p1363 = signedRedirectQuery({
      xml: authnRequestXml(),
      signer: ecSp,
      sigAlg: ECDSA_SHA256,
      dsaEncoding: 'ieee-p1363',
    });
    expect(verify(der, [ecSp.certificatePem])).toBe(true);
    expect(verify(p1363, [ecSp.certificatePem])).toBe(true);
    expect(verify(der, [sp.certificatePem])).toBe(false);
  });

  it('does not verify an ECDSA signature announced as RSA, or the reverse', () => {
    const ecdsa = signedRedirectQuery({ xml: authnRequestXml(), signer: ecSp, sigAlg: RSA_SHA256 });
    expect(verify(ecdsa, [ecSp.certificatePem])).toBe(false);
    const rsa = signedRedirectQuery({ xml: authnRequestXml(), signer: sp, sigAlg: ECDSA_SHA256 });
    expect(verify(rsa, [sp.certificatePem])).toBe(false);
  });

  it('refuses a SHA-1 SigAlg, even with a valid SHA-1 signature', () => {
    const sha1 = signedRedirectQuery({
      xml: authnRequestXml(),
      signer: sp,
      sigAlg: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
      hash: 'sha1',
    });
    expect(refusalOf(() => verify(sha1))).toBe('sig_alg');
  });

  it('refuses an unknown SigAlg instead of falling back to a default', () => {
    const unknown = signedRedirectQuery({
      xml: authnRequestXml(),
      signer: sp,
      sigAlg: 'http://www.w3.org/2001/04/xmldsig-more#rsa-md5',
    });
    expect(refusalOf(() => verify(unknown))).toBe('sig_alg');
  });

  it.each([
    ['a duplicated SAMLRequest', (q: string) => `${q}&${/SAMLRequest=[^&]*/.exec(q)?.[0] ?? ''}`],
    ['a second SAMLRequest with a percent-encoded name', (q: string) => `SAML%52equest=AAAA&${q}`],
    ['a duplicated RelayState', (q: string) => `${q}&RelayState=other`],
    ['a duplicated SigAlg', (q: string) => `${q}&SigAlg=${encodeURIComponent(RSA_SHA256)}`],
    ['a duplicated Signature', (q: string) => `${q}&Signature=AAAA`],
    ['both SAMLRequest and SAMLResponse', (q: string) => `${q}&SAMLResponse=AAAA`],
    ['no Signature', (q: string) => q.replace(/&Signature=[^&]*/, '')],
    ['no SigAlg', (q: string) => q.replace(/&SigAlg=[^&]*/, '')],
    ['no message', (q: string) => q.replace(/SAMLRequest=[^&]*&/, '')],
    ['broken percent-encoding', (q: string) => q.replace('RelayState=', 'RelayState=%E0%A4%A')],
    ['another SAMLEncoding than DEFLATE', (q: string) => `${q}&SAMLEncoding=urn:x`],
  ])('refuses %s', (_case, mutate) => {
    const rawQuery = signedRedirectQuery({ xml: authnRequestXml(), signer: sp, relayState: 'x' });
    expect(refusalOf(() => verify(mutate(rawQuery)))).toBe('malformed_query');
  });

  it('refuses a Signature that is not base64', () => {
    const rawQuery = signedRedirectQuery({ xml: authnRequestXml(), signer: sp });
    expect(refusalOf(() => verify(rawQuery.replace(/Signature=[^&]*/, 'Signature=%21%21%21')))).toBe('not_base64');
  });
});
