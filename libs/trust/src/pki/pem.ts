import { createPrivateKey, type KeyObject } from 'node:crypto';
import { PemConverter, X509Certificate } from '@peculiar/x509';

/** Every CERTIFICATE block of a PEM bundle (other blocks refused); at least one. */
export function parseCertificateBundle(pem: string): [X509Certificate, ...X509Certificate[]] {
  const certificates = PemConverter.decodeWithHeaders(pem).map((block, index) => {
    if (block.type !== 'CERTIFICATE') throw new Error(`block ${index + 1} is "${block.type}", not a CERTIFICATE`);
    return new X509Certificate(block.rawData);
  });
  const [first, ...rest] = certificates;
  if (!first) throw new Error('holds no PEM certificate');
  return [first, ...rest];
}

/** An unencrypted PKCS#8 or SEC1 PEM private key; spec §1/§2 keys are ECDSA P-256. */
export function parseP256PrivateKey(pem: string): KeyObject {
  const key = createPrivateKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('is not an ECDSA P-256 private key');
  }
  return key;
}

export function certificatePem(certificateDer: Uint8Array): string {
  return PemConverter.encode(certificateDer, 'CERTIFICATE');
}
