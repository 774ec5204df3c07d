/**
 * Where oidc-provider answers. Everything of its own sits under /oidc/, except discovery, which OpenID Connect
 * Discovery fixes at `<issuer>/.well-known/openid-configuration`, and the JWKS, which is the server's one
 * `/.well-known/jwks.json` (served by libs/keys, with every published key), so oidc-provider never answers it.
 */
export const OIDC_ROUTES = {
  authorization: '/oidc/auth',
  token: '/oidc/token',
  userinfo: '/oidc/me',
  jwks: '/.well-known/jwks.json',
  end_session: '/oidc/session/end',
  introspection: '/oidc/token/introspection',
  revocation: '/oidc/token/revocation',
  pushed_authorization_request: '/oidc/request',
  backchannel_authentication: '/oidc/backchannel',
  registration: '/oidc/reg',
  code_verification: '/oidc/device',
  device_authorization: '/oidc/device/auth',
  challenge: '/oidc/challenge',
  credential: '/oidc/credential',
};

export const DISCOVERY_PATH = '/.well-known/openid-configuration';

/** The interaction pages (libs/oidc/src/interaction). */
export const INTERACTION_PATH = '/interaction';

/** Whether a request path belongs to oidc-provider (it is then handed over before Fastify parses a body). */
export function isOidcPath(path: string): boolean {
  return path === DISCOVERY_PATH || path.startsWith('/oidc/');
}
