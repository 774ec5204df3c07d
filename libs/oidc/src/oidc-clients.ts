import type { ServiceEntity } from '#idtoken/services';
import { isScope, expandScopes, parseScopes } from '#idtoken/claims';
import type { OidcClientSettings } from '#idtoken/services';
import { PROFILE_IDENTITY_SCOPES } from './oidc-scopes.js';

/** Client metadata property (extraClientMetadata) saying whether granted claims also go into the ID token. */
export const ID_TOKEN_CLAIMS = 'idtoken_id_token_claims';

export const CIBA_GRANT_TYPE = 'urn:openid:params:grant-type:ciba';

const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);

/** The OIDC scopes a service may request: protocol scopes, then what its allowedScopes reach (the ceiling). */
export function oidcScopeCeiling(service: ServiceEntity, settings: OidcClientSettings): string[] {
  const allowed = new Set<string>(expandScopes(parseScopes(service.allowedScopes)));
  const scopes = ['openid', 'email'];
  if (settings.refreshTokens) scopes.push('offline_access');
  if (PROFILE_IDENTITY_SCOPES.every((scope) => allowed.has(scope))) scopes.push('profile');
  for (const scope of service.allowedScopes) if (isScope(scope)) scopes.push(scope);
  for (const scope of allowed) if (!scopes.includes(scope)) scopes.push(scope);
  return scopes;
}

/**
 * An active service with OIDC settings as oidc-provider client metadata (client_id = serviceId). `secret` is the
 * service's secret (revealed from its sealed copy) when the auth method needs one; undefined otherwise.
 */
export function clientMetadataOf(
  service: ServiceEntity,
  secret: string | undefined,
): Record<string, unknown> | undefined {
  if (service.disabledAt || !service.oidc) return undefined;
  const settings = service.oidc as unknown as OidcClientSettings;
  const method = settings.tokenEndpointAuthMethod;
  if (SECRET_METHODS.has(method) && !secret) return undefined;
  return {
    client_id: service.serviceId,
    client_name: service.name,
    ...(SECRET_METHODS.has(method) ? { client_secret: secret } : {}),
    redirect_uris: settings.redirectUris,
    post_logout_redirect_uris: settings.postLogoutRedirectUris,
    grant_types: [
      'authorization_code',
      ...(settings.refreshTokens ? ['refresh_token'] : []),
      ...(settings.ciba ? [CIBA_GRANT_TYPE] : []),
    ],
    ...(settings.ciba
      ? {
          backchannel_token_delivery_mode: settings.ciba.deliveryMode,
          ...(settings.ciba.notificationEndpoint
            ? { backchannel_client_notification_endpoint: settings.ciba.notificationEndpoint }
            : {}),
        }
      : {}),
    response_types: ['code'],
    token_endpoint_auth_method: method,
    ...(method === 'private_key_jwt'
      ? { jwks: { keys: service.publicKeys.map(({ kid, jwk }) => ({ ...jwk, kid })) } }
      : {}),
    subject_type: service.subjectType,
    ...(settings.backchannelLogoutUri
      ? { backchannel_logout_uri: settings.backchannelLogoutUri, backchannel_logout_session_required: true }
      : {}),
    id_token_signed_response_alg: settings.idTokenSigningAlg ?? 'ES256',
    scope: oidcScopeCeiling(service, settings).join(' '),
    [ID_TOKEN_CLAIMS]: settings.idTokenClaims,
  };
}
