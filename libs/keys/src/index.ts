// Server key pairs (sealed at rest), and the token-signing keys with their rotation and JWKS (spec §5, §7).
export { KeyMaterialEntity } from './key-material.entity.js';
export { KeyMaterialStore, type KeyMaterial, type NewKeyMaterial } from './key-material.store.js';
export { KeysModule, type KeysModuleOptions } from './keys.module.js';
export { Clock, SystemClock } from './clock.js';
export {
  TokenKeys,
  type RotationContext,
  type SigningKey,
  type TokenKeySettings,
  type TokenKeyView,
} from './token-keys/token-keys.js';
export { Rs256TokenKeys } from './token-keys/rs256-token-keys.js';
export type { TokenSigningAlgorithm } from './token-keys/token-key-family.js';
export type { KeyStatus } from './token-keys/key-schedule.js';
export type { Es256TokenJwk, PublicTokenJwk, Rs256TokenJwk } from './token-keys/public-token-jwk.js';
export { KEYS_CHANGED_CHANNEL } from './token-keys/key-changes.js';
export { JWKS_MAX_AGE_SECONDS } from './token-keys/propagation.js';
export { CertifiedKeySource, type CertifiedKey } from './jwks/certified-key.source.js';
export type { CertifiedJwk } from './jwks/certified-jwk.js';
export { Jwks, type JwkSet } from './jwks/jwks.js';
