import type { EphemeralStore } from '#idtoken/platform';
import type { Clock } from '../clock.js';
import { RS256_TOKEN_KEYS } from './rs256.family.js';
import type { TokenKeyRecords } from './token-key.records.js';
import { TokenKeys, type SigningKey, type TokenKeyOptions, type TokenKeySettings } from './token-keys.js';

/**
 * The RS256 token keys (RSA 2048, each with a self-signed certificate in x5c), for verifiers that accept nothing
 * else (Microsoft Entra ID External Authentication Methods). Same schedule, rotation and JWKS as the ES256 keys of
 * `TokenKeys`, in rows of their own (purpose `token-signing-rs256`); a class of its own so it is its own DI token.
 */
export class Rs256TokenKeys extends TokenKeys {
  constructor(
    records: TokenKeyRecords,
    store: EphemeralStore,
    clock: Clock,
    settings: TokenKeySettings,
    options: TokenKeyOptions = {},
  ) {
    super(records, store, clock, settings, options, RS256_TOKEN_KEYS);
  }

  /** The key that signs now, with its certificate (every RS256 key has one). */
  override async signingKey(): Promise<SigningKey & { certificateDer: Buffer }> {
    const key = await super.signingKey();
    const { certificateDer } = key;
    if (!certificateDer) throw new Error(`RS256 token key ${key.kid} has no certificate`);
    return { ...key, certificateDer };
  }
}
