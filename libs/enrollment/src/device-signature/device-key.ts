import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { DomainError } from '#idtoken/platform';

export interface DeviceKey {
  publicKey: KeyObject;
  spkiDer: Buffer;
  /** b64url(SHA-256(SPKI DER)) — spec §4. */
  keyId: string;
}

const SPKI_PEM = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----$/;

/** AlgorithmIdentifier { id-ecPublicKey, prime256v1 } (RFC 5480 §2.1.1), DER: what starts a named-curve P-256 SPKI. */
const P256_ALGORITHM = Buffer.from('301306072a8648ce3d020106082a8648ce3d030107', 'hex');

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
  if (publicKey.asymmetricKeyType !== 'ec') {
    throw new DomainError('invalid_request', 'publicKeyPem must be an ECDSA P-256 public key');
  }
  // The curve is read from the re-exported SPKI, never from asymmetricKeyDetails: for an EC key at the point at
  // infinity that getter (and a JWK export) fails a native assertion on Node 20 and aborts the process, while this
  // export throws — and such a key is refused here.
  let spkiDer: Buffer;
  try {
    spkiDer = publicKey.export({ format: 'der', type: 'spki' });
  } catch {
    throw new DomainError('invalid_request', 'publicKeyPem is not a point on P-256');
  }
  if (spkiDer[0] !== 0x30 || !spkiDer.subarray(2, 2 + P256_ALGORITHM.length).equals(P256_ALGORITHM)) {
    throw new DomainError('invalid_request', 'publicKeyPem must be an ECDSA P-256 public key');
  }
  return { publicKey, spkiDer, keyId: createHash('sha256').update(spkiDer).digest('base64url') };
}
