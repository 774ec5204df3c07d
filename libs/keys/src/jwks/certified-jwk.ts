import { createHash, X509Certificate } from 'node:crypto';
import type { CertifiedKey } from './certified-key.source.js';

/** A certified key as RFC 7517 publishes it: its public key, and its chain in x5c (b64 DER, not base64url). */
export interface CertifiedJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  use: 'sig';
  alg: 'ES256';
  x5c: string[];
}

export function certifiedJwk(key: CertifiedKey): CertifiedJwk {
  const [certificateDer] = key.chainDer;
  if (!certificateDer) throw new Error(`certified key ${key.name} has no certificate`);
  const { kty, crv, x, y } = new X509Certificate(certificateDer).publicKey.export({ format: 'jwk' });
  // spec §2: VDS signatures are ECDSA P-256, so ES256 is the only algorithm this key can carry.
  if (kty !== 'EC' || crv !== 'P-256' || !x || !y) throw new Error(`certified key ${key.name} is not a P-256 key`);
  return {
    kty,
    crv,
    x,
    y,
    kid: `${key.name}-${certificateReferenceHex(certificateDer)}`,
    use: 'sig',
    alg: 'ES256',
    x5c: key.chainDer.map((der) => der.toString('base64')),
  };
}

/** spec §2 HEADER: the certificate reference is the first 8 bytes of SHA-256 of the DER, here lower-case hex. */
function certificateReferenceHex(certificateDer: Buffer): string {
  return createHash('sha256').update(certificateDer).digest().subarray(0, 8).toString('hex');
}
