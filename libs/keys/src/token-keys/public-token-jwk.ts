/** An ES256 token key as RFC 7517 publishes it: public members only, named one by one so `d` can never leak. */
export interface Es256TokenJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  use: 'sig';
  alg: 'ES256';
}

/**
 * An RS256 token key with its self-signed certificate (RFC 7517 §4.7 x5c, §4.9 x5t#S256), as Microsoft Entra ID
 * External Authentication Methods require; never `d`, `p`, `q`, `dp`, `dq`, `qi`.
 */
export interface Rs256TokenJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  use: 'sig';
  alg: 'RS256';
  /** One b64 (not b64url) DER certificate: the key's own, self-signed. */
  x5c: [string];
  /** b64url SHA-256 of that DER. */
  'x5t#S256': string;
}

export type PublicTokenJwk = Es256TokenJwk | Rs256TokenJwk;
