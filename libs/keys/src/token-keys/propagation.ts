/**
 * How long a verifier may cache GET /.well-known/jwks.json (`Cache-Control: public, max-age`). A new key must be
 * published at least this long before it signs, or a verifier holding yesterday's JWKS meets an unknown kid.
 */
export const JWKS_MAX_AGE_SECONDS = 300;

/**
 * The longest a node serves its in-memory copy of the token keys without reading the database again. Rotations
 * normally reach other nodes at once through the ephemeral store; this bounds the delay when a message is lost.
 */
export const TOKEN_KEY_CACHE_SECONDS = 30;

/** The smallest publish-ahead that keeps the promise above even when a node missed the change message. */
export const SAFE_PUBLISH_AHEAD_SECONDS = JWKS_MAX_AGE_SECONDS + TOKEN_KEY_CACHE_SECONDS;

/** The boot warning for a publish-ahead below SAFE_PUBLISH_AHEAD_SECONDS; undefined when it is safe. */
export function unsafePublishAheadWarning(publishAheadSeconds: number): string | undefined {
  if (publishAheadSeconds >= SAFE_PUBLISH_AHEAD_SECONDS) return undefined;
  return (
    `TOKEN_KEY_PUBLISH_AHEAD_SECONDS=${publishAheadSeconds} is below ${SAFE_PUBLISH_AHEAD_SECONDS}: ` +
    'a verifier holding a cached JWKS may meet a rotated-in key before it has seen it'
  );
}
