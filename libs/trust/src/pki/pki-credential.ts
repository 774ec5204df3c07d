import { webcrypto, type KeyObject } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
import type { X509Certificate } from '@peculiar/x509';

/** A certificate and its private key: what signs VDSs, certificates or trust lists. */
export interface PkiCredential {
  certificate: X509Certificate;
  certificateDer: Buffer;
  privateKey: KeyObject;
}

/** node's WebCrypto, handed explicitly to @peculiar/x509 rather than relying on a global provider. */
export const webCrypto: webcrypto.Crypto = webcrypto;

/** spec §1 and §2: every key of the trust store is ECDSA P-256, every signature ECDSA with SHA-256. */
export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A node KeyObject as a WebCrypto signing key (node 20 has no KeyObject.toCryptoKey). */
export async function toSigningCryptoKey(privateKey: KeyObject): Promise<CryptoKey> {
  return webCrypto.subtle.importKey('pkcs8', privateKey.export({ format: 'der', type: 'pkcs8' }), EC_P256, false, [
    'sign',
  ]);
}
