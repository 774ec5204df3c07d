import type { PublicTokenJwk } from '../token-keys/public-token-jwk.js';
import type { TokenKeys } from '../token-keys/token-keys.js';
import { certifiedJwk, type CertifiedJwk } from './certified-jwk.js';
import type { CertifiedKeySource } from './certified-key.source.js';

export interface JwkSet {
  keys: (PublicTokenJwk | CertifiedJwk)[];
}

/**
 * spec §5: GET /.well-known/jwks.json publishes the token-signing keys, family by family in the order given (ES256,
 * then RS256 with x5c), and the Service-VDS key (with x5c).
 */
export class Jwks {
  constructor(
    private readonly tokenKeys: readonly TokenKeys[],
    private readonly certified: CertifiedKeySource | undefined,
  ) {}

  async document(): Promise<JwkSet> {
    const [certified, ...families] = await Promise.all([
      this.certified ? this.certified.certifiedKeys() : Promise.resolve([]),
      ...this.tokenKeys.map((family) => family.publicJwks()),
    ]);
    return { keys: [...families.flatMap((family) => family.keys), ...certified.map(certifiedJwk)] };
  }
}
