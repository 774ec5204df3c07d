import { z } from 'zod';
import { DomainError } from '#idtoken/platform';
import type { NodeEnv } from './service-input.js';

/** Client authentication methods the OIDC facade accepts (docs/oidc.md). `none` is for public clients, with PKCE. */
export const OIDC_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
] as const;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A redirect URI: absolute, no fragment; https, or http on a loopback host outside production (RFC 8252 §7.3 for
 * native apps; a laptop RP in development). Custom schemes are refused: they belong to native public clients,
 * which this release does not register.
 */
function isRedirectUri(value: string, nodeEnv: NodeEnv): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash || value.includes('#')) return false;
  if (url.protocol === 'https:') return true;
  return nodeEnv !== 'production' && url.protocol === 'http:' && LOOPBACK.has(url.hostname);
}

/**
 * The OIDC client settings of a service (spec §5 "plus OIDC client … settings when used"), stored in
 * `services.oidc`. client_id is the serviceId; the secret is the service's; private_key_jwt uses its publicKeys.
 */
export function oidcClientSettingsSchema(nodeEnv: NodeEnv) {
  const redirectUri = z
    .string()
    .max(2048)
    .refine((value) => isRedirectUri(value, nodeEnv), 'must be an https URL without fragment (or http://localhost)');
  return z
    .object({
      redirectUris: z.array(redirectUri).min(1).max(20),
      postLogoutRedirectUris: z.array(redirectUri).max(20).default([]),
      tokenEndpointAuthMethod: z.enum(OIDC_AUTH_METHODS).default('client_secret_basic'),
      /** Refresh tokens (scope offline_access) with rotation. */
      refreshTokens: z.boolean().default(false),
      /**
       * OIDC Back-Channel Logout 1.0: where logout tokens are POSTed when the holder's session ends here or their
       * enrollment is revoked.
       */
      backchannelLogoutUri: redirectUri.optional(),
      /**
       * CIBA (OpenID Client-Initiated Backchannel Authentication Core 1.0): the client starts a sign-in by
       * login_hint, the phone is asked, tokens come by polling or after a ping to `notificationEndpoint`.
       */
      ciba: z
        .object({ deliveryMode: z.enum(['poll', 'ping']), notificationEndpoint: redirectUri.optional() })
        .strict()
        .refine((ciba) => ciba.deliveryMode === 'poll' || ciba.notificationEndpoint !== undefined, {
          message: 'ping needs a notificationEndpoint',
        })
        .optional(),
      /**
       * The client cannot work without an email (Okta, Entra): a sign-in of a holder with no email in an account link
       * for this service ends with access_denied, never a token without it.
       */
      requireEmail: z.boolean().default(false),
      /** ID token signature: ES256 (default); RS256 for clients that accept nothing else (Entra EAM). */
      idTokenSigningAlg: z.enum(['ES256', 'RS256']).default('ES256'),
      /** Put the granted claims in the ID token too (default: only at userinfo, as OIDC Core §5.4 intends). */
      idTokenClaims: z.boolean().default(false),
    })
    .strict();
}

export type OidcClientSettings = z.output<ReturnType<typeof oidcClientSettingsSchema>>;

/**
 * The OIDC settings must fit the rest of the service: a secret-based method needs the service's secret (not a
 * publicInitiate service), private_key_jwt needs registered public keys. `400 invalid_request` naming the field.
 */
export function checkOidcSettings(service: {
  oidc: OidcClientSettings | null;
  publicInitiate: boolean;
  publicKeys: readonly unknown[];
  subjectType: string;
}): void {
  // A CIBA client names the holder by tokenId (login_hint): a pairwise sub would hide nothing from it, and CIBA
  // Core §4 would make its sector the host of a jwks_uri, which services do not have.
  // CIBA pushes to a phone and hands back the code: only a client that authenticates may start it.
  if (service.oidc?.ciba && service.oidc.tokenEndpointAuthMethod === 'none') {
    throw new DomainError('invalid_request', 'A CIBA client must authenticate (not tokenEndpointAuthMethod none)', {
      field: 'oidc.ciba',
    });
  }
  if (service.oidc?.ciba && service.subjectType !== 'public') {
    throw new DomainError('invalid_request', 'A CIBA client knows the tokenId it asks for: set subjectType to public', {
      field: 'subjectType',
    });
  }
  // spec §6.1: a service with a registered credential must present it; a publicInitiate service presents none.
  if (service.publicInitiate && service.publicKeys.length > 0) {
    throw new DomainError('invalid_request', 'A publicInitiate service has no credential: remove its publicKeys', {
      field: 'publicKeys',
    });
  }
  const method = service.oidc?.tokenEndpointAuthMethod;
  if (method === undefined) return;
  const field = 'oidc.tokenEndpointAuthMethod';
  if (method.startsWith('client_secret') && service.publicInitiate) {
    throw new DomainError(
      'invalid_request',
      `${method} needs the service's secret; a publicInitiate service has none`,
      {
        field,
      },
    );
  }
  if (method === 'private_key_jwt' && service.publicKeys.length === 0) {
    throw new DomainError('invalid_request', 'private_key_jwt needs at least one key in publicKeys', { field });
  }
}
