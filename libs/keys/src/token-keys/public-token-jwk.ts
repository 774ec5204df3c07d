import type { KeyMaterial } from '../key-material.store.js';
import { TOKEN_SIGNING_ALGORITHM } from './new-token-key.js';

/** A token-signing key as RFC 7517 publishes it: public members only, named one by one so `d` can never leak. */
export interface PublicTokenJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  use: 'sig';
  alg: 'ES256';
}

export function publicTokenJwk(key: KeyMaterial): PublicTokenJwk {
  const { kty, crv, x, y } = key.publicJwk;
  if (kty !== 'EC' || crv !== 'P-256' || typeof x !== 'string' || typeof y !== 'string') {
    throw new Error(`token key ${key.kid} is not a P-256 key`);
  }
  return { kty, crv, x, y, kid: key.kid, use: 'sig', alg: TOKEN_SIGNING_ALGORITHM };
}
