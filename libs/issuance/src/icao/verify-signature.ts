import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { nodeHashName, type HashAlgorithmName } from './hash-algorithm.js';
import type { SignatureScheme } from './signature-scheme.js';

const KEY_TYPES: Readonly<Record<SignatureScheme['kind'], readonly string[]>> = {
  'rsa-pkcs1': ['rsa'],
  'rsa-pss': ['rsa', 'rsa-pss'],
  ecdsa: ['ec'],
};

/** The key of a DER SubjectPublicKeyInfo, or undefined when node:crypto cannot use it. */
export function importPublicKey(subjectPublicKeyInfoDer: Uint8Array): KeyObject | undefined {
  try {
    return createPublicKey({ key: Buffer.from(subjectPublicKeyInfoDer), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/**
 * Verifies one signature with node:crypto. `hash` is passed separately because CMS names it in the SignerInfo's
 * digestAlgorithm (RFC 5652 §5.4) while certificates name it in the signature algorithm. Any failure — a key of the
 * wrong type, a key node cannot import, a malformed signature — is a signature that does not verify.
 */
export function verifySignature(
  scheme: SignatureScheme,
  hash: HashAlgorithmName,
  subjectPublicKeyInfoDer: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const key = importPublicKey(subjectPublicKeyInfoDer);
  if (!key?.asymmetricKeyType || !KEY_TYPES[scheme.kind].includes(key.asymmetricKeyType)) return false;
  try {
    switch (scheme.kind) {
      case 'rsa-pkcs1':
        return verify(nodeHashName(hash), data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'rsa-pss':
        return verify(
          nodeHashName(hash),
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength },
          signature,
        );
      case 'ecdsa':
        return verify(nodeHashName(hash), data, { key, dsaEncoding: scheme.encoding }, signature);
    }
  } catch {
    return false;
  }
}
