import { KeyObject, webcrypto } from 'node:crypto';

/**
 * Key algorithms for test CSCAs and Document Signers. RSA-PSS keys are ordinary RSA keys (rsaEncryption SPKI, as
 * most issuers publish) that sign with RSASSA-PSS.
 */
export type TestKeyAlgorithm = 'P-256' | 'P-384' | 'P-521' | 'RSA' | 'RSA-PSS';

export type WebCryptoKey = webcrypto.CryptoKey;
export type WebCryptoKeyPair = webcrypto.CryptoKeyPair;

const RSA_MODULUS_BITS = 2048;
const RSA_PUBLIC_EXPONENT = new Uint8Array([0x01, 0x00, 0x01]);

/** Extractable on purpose: the factory hands keys to node:crypto (`KeyObject.from`) and to fixtures. */
export async function generateTestKeyPair(algorithm: TestKeyAlgorithm): Promise<WebCryptoKeyPair> {
  const usages: webcrypto.KeyUsage[] = ['sign', 'verify'];
  switch (algorithm) {
    case 'P-256':
    case 'P-384':
    case 'P-521':
      return webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: algorithm }, true, usages);
    case 'RSA':
    case 'RSA-PSS':
      return webcrypto.subtle.generateKey(
        {
          name: algorithm === 'RSA' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS',
          modulusLength: RSA_MODULUS_BITS,
          publicExponent: RSA_PUBLIC_EXPONENT,
          hash: 'SHA-256',
        },
        true,
        usages,
      );
  }
}

/** What X509CertificateGenerator signs certificates with for each key algorithm. */
export function certificateSigningAlgorithm(algorithm: TestKeyAlgorithm): webcrypto.Algorithm {
  switch (algorithm) {
    case 'P-256':
      return { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams;
    case 'P-384':
      return { name: 'ECDSA', hash: 'SHA-384' } as webcrypto.EcdsaParams;
    case 'P-521':
      return { name: 'ECDSA', hash: 'SHA-512' } as webcrypto.EcdsaParams;
    case 'RSA':
      return { name: 'RSASSA-PKCS1-v1_5' };
    case 'RSA-PSS':
      return { name: 'RSA-PSS', saltLength: 32 } as webcrypto.RsaPssParams;
  }
}

export function toKeyObject(key: WebCryptoKey): KeyObject {
  return KeyObject.from(key);
}
