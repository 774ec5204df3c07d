import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { DomainError } from '#idtoken/platform';

export interface DeviceKey {
  publicKey: KeyObject;
  spkiDer: Buffer;
  /** b64url(SHA-256(SPKI DER)) — spec §4. */
  keyId: string;
}

const SPKI_PEM = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----$/;

/** Reads the device's SPKI PEM; only an EC P-256 public key is accepted (spec §1, §4). */
export function parseDevicePublicKey(pem: string): DeviceKey {
  // Exactly one SPKI block: createPublicKey would also take a private key or a certificate, and a client that
  // posts its private key must hear about it rather than be enrolled.
  if (!SPKI_PEM.test(pem.trim())) {
    throw new DomainError('invalid_request', 'publicKeyPem must be one -----BEGIN PUBLIC KEY----- block (SPKI)');
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new DomainError('invalid_request', 'publicKeyPem is not a PEM SubjectPublicKeyInfo');
  }
  if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new DomainError('invalid_request', 'publicKeyPem must be an ECDSA P-256 public key');
  }
  const spkiDer = publicKey.export({ format: 'der', type: 'spki' });
  return { publicKey, spkiDer, keyId: createHash('sha256').update(spkiDer).digest('base64url') };
}
