import { generateKeyPairSync } from 'node:crypto';
import type { Es256TokenJwk } from './public-token-jwk.js';
import { thumbprintKid, type TokenKeyFamily } from './token-key-family.js';

/** spec §1 and §7: the token keys of the direct API, OIDC and SAML are ECDSA P-256, used with ES256. */
export const ES256_TOKEN_KEYS: TokenKeyFamily<Es256TokenJwk> = {
  algorithm: 'ES256',
  purpose: 'token-signing',

  async generate() {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { kid: await thumbprintKid(privateKey), privateKey };
  },

  publicJwk(key) {
    const { kty, crv, x, y } = key.publicJwk;
    if (kty !== 'EC' || crv !== 'P-256' || typeof x !== 'string' || typeof y !== 'string') {
      throw new Error(`token key ${key.kid} is not a P-256 key`);
    }
    return { kty, crv, x, y, kid: key.kid, use: 'sig', alg: 'ES256' };
  },
};
