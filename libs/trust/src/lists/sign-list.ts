import { CompactSign } from 'jose';
import type { SigningKey } from '../trust.store.js';

/** JWS `typ` of each list (RFC 8725 §3.11: explicit typing, so a VRL is never accepted as a TSL or a JWT). */
export const TSL_JWS_TYPE = 'idtoken-tsl+json';
export const VRL_JWS_TYPE = 'idtoken-vrl+json';

/**
 * Compact JWS (ES256) over the list's JSON, with the signer's chain in `x5c` (RFC 7515 §4.1.6): a client
 * checks that chain against the trust anchor it was configured with, then the signature.
 */
export async function signList(payload: object, type: string, signer: SigningKey): Promise<string> {
  return new CompactSign(Buffer.from(JSON.stringify(payload), 'utf8'))
    .setProtectedHeader({
      alg: 'ES256',
      typ: type,
      x5c: signer.chainDer.map((der) => der.toString('base64')),
    })
    .sign(signer.privateKey);
}
