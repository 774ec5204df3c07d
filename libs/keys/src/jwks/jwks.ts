import type { PublicTokenJwk } from '../token-keys/public-token-jwk.js';
import type { TokenKeys } from '../token-keys/token-keys.js';
import { certifiedJwk, type CertifiedJwk } from './certified-jwk.js';
import type { CertifiedKeySource } from './certified-key.source.js';

export interface JwkSet {
  keys: (PublicTokenJwk | CertifiedJwk)[];
}

/** spec §5: GET /.well-known/jwks.json publishes the token-signing keys and the Service-VDS key (with x5c). */
export class Jwks {
  constructor(
    private readonly tokenKeys: TokenKeys,
    private readonly certified: CertifiedKeySource | undefined,
  ) {}

  async document(): Promise<JwkSet> {
    const [tokens, certified] = await Promise.all([
      this.tokenKeys.publicJwks(),
      this.certified ? this.certified.certifiedKeys() : Promise.resolve([]),
    ]);
    return { keys: [...tokens.keys, ...certified.map(certifiedJwk)] };
  }
}
