import { createHash, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { Rs256TokenJwk } from './public-token-jwk.js';
import { selfSignedTokenCertificate } from './token-key.certificate.js';
import { thumbprintKid, type TokenKeyFamily } from './token-key-family.js';

const generateRsaKeyPair = promisify(generateKeyPair);

/**
 * RSA 2048 keys used with RS256, each with a self-signed certificate published in x5c: Microsoft Entra ID External
 * Authentication Methods accept nothing else from the provider it federates to.
 */
export const RS256_TOKEN_KEYS: TokenKeyFamily<Rs256TokenJwk> = {
  algorithm: 'RS256',
  purpose: 'token-signing-rs256',

  async generate({ now, activatesAt }) {
    // Off the event loop: an RSA 2048 key takes up to a second of CPU (boot, rotation under traffic).
    const { privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
    const kid = await thumbprintKid(privateKey);
    const commonName = `IDToken token signing ${kid.slice(0, 8)}`;
    const certificateDer = await selfSignedTokenCertificate({ privateKey, commonName, now, activatesAt });
    return { kid, privateKey, certificateDer };
  },

  publicJwk(key) {
    const { kty, n, e } = key.publicJwk;
    if (kty !== 'RSA' || typeof n !== 'string' || typeof e !== 'string') {
      throw new Error(`token key ${key.kid} is not an RSA key`);
    }
    if (!key.certificateDer) throw new Error(`token key ${key.kid} has no certificate`);
    return {
      kty,
      n,
      e,
      kid: key.kid,
      use: 'sig',
      alg: 'RS256',
      x5c: [key.certificateDer.toString('base64')],
      'x5t#S256': createHash('sha256').update(key.certificateDer).digest('base64url'),
    };
  },
};
