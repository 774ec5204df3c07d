import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';

/** spec §1 and §7: token signing keys are ECDSA P-256, used with ES256. */
export const TOKEN_SIGNING_PURPOSE = 'token-signing';
export const TOKEN_SIGNING_ALGORITHM = 'ES256';

export interface NewTokenKey {
  kid: string;
  privateKey: KeyObject;
}

/**
 * A fresh P-256 key pair. Its kid is the RFC 7638 JWK thumbprint (SHA-256, b64url): derived from the public key
 * alone, so it is unique without coordination between nodes and any verifier can recompute it.
 */
export async function newTokenKey(): Promise<NewTokenKey> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = await calculateJwkThumbprint(createPublicKey(privateKey).export({ format: 'jwk' }) as JWK, 'sha256');
  return { kid, privateKey };
}
