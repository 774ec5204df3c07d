import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { KeyMaterial } from '../key-material.store.js';
import type { PublicTokenJwk } from './public-token-jwk.js';

export type TokenSigningAlgorithm = 'ES256' | 'RS256';

export interface NewTokenKey {
  kid: string;
  privateKey: KeyObject;
  /** DER of the key's certificate, for families published with x5c. */
  certificateDer?: Buffer;
}

/**
 * One kind of token-signing key: what TokenKeys rotates, stores and publishes, the schedule being the same for
 * every family. Each family has its own rows in key_material (`purpose`) and its own current key.
 */
export interface TokenKeyFamily<Jwk extends PublicTokenJwk = PublicTokenJwk> {
  algorithm: TokenSigningAlgorithm;
  /** key_material.purpose of its rows. */
  purpose: string;
  /** A fresh key that signs from `activatesAt` (certificates are made valid from `now`). */
  generate(times: { now: Date; activatesAt: Date }): Promise<NewTokenKey>;
  /** The key as the JWKS publishes it. */
  publicJwk(key: KeyMaterial): Jwk;
}

/**
 * The kid of a token key: its RFC 7638 JWK thumbprint (SHA-256, b64url), derived from the public key alone, so it
 * is unique without coordination between nodes and any verifier can recompute it.
 */
export function thumbprintKid(privateKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(createPublicKey(privateKey).export({ format: 'jwk' }) as JWK, 'sha256');
}
