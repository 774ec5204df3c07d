import { checkDigestAlg, DIGEST_ALG_ALLOWED } from './digest-alg-allowed.js';
import { checkSigAlg, SIG_ALG_ALLOWED } from './sig-alg-allowed.js';
import { refusalOf } from './testing/expect-refused.js';

describe('checkSigAlg', () => {
  it('accepts RSA and ECDSA with SHA-256/384/512 and says how to verify them', () => {
    expect(SIG_ALG_ALLOWED).toHaveLength(6);
    expect(checkSigAlg('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')).toEqual({
      uri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      hash: 'sha256',
      keyType: 'rsa',
    });
    expect(checkSigAlg('http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512')).toMatchObject({
      hash: 'sha512',
      keyType: 'ec',
    });
    for (const uri of SIG_ALG_ALLOWED) expect(checkSigAlg(uri).uri).toBe(uri);
  });

  it.each([
    'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    'http://www.w3.org/2000/09/xmldsig#dsa-sha1',
    'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1',
    'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
  ])('refuses SHA-1: %s', (uri) => {
    expect(refusalOf(() => checkSigAlg(uri))).toBe('sig_alg');
    expect(() => checkSigAlg(uri)).toThrow(/SHA-1/);
  });

  it.each([
    ['an unknown algorithm', 'http://www.w3.org/2001/04/xmldsig-more#rsa-md5'],
    ['HMAC', 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256'],
    ['RSA-PSS (not offered)', 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1'],
    ['a different case', 'http://www.w3.org/2001/04/xmldsig-more#RSA-SHA256'],
    ['trailing whitespace', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 '],
    ['an empty value', ''],
  ])('refuses %s', (_case, uri) => {
    expect(refusalOf(() => checkSigAlg(uri))).toBe('sig_alg');
  });
});

describe('checkDigestAlg', () => {
  it('accepts SHA-256/384/512 only', () => {
    for (const uri of DIGEST_ALG_ALLOWED) expect(() => checkDigestAlg(uri)).not.toThrow();
    expect(refusalOf(() => checkDigestAlg('http://www.w3.org/2000/09/xmldsig#sha1'))).toBe('sig_alg');
    expect(refusalOf(() => checkDigestAlg('http://www.w3.org/2001/04/xmldsig-more#md5'))).toBe('sig_alg');
  });
});
