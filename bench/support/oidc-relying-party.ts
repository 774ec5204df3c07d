import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { servedAt } from './oidc-browser.js';
import { FlowFailure } from './oidc-failure.js';

/** A client registered at the provider: confidential, client_secret_basic, one redirect URI. */
export interface OidcClientRegistration {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Asked for on every authorization request. */
  scope: string;
}

/** What the relying party learnt once, before any flow: the endpoints (discovery) and the provider's keys (JWKS). */
export interface DiscoveredProvider {
  issuer: string;
  authorizationEndpoint: URL;
  tokenEndpoint: URL;
  userinfoEndpoint: URL;
  keys: JWTVerifyGetKey;
}

/** One authorization request's secrets, kept by the relying party until the browser comes back. */
export interface PendingAuthorization {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

interface TokenAnswer {
  access_token?: unknown;
  id_token?: unknown;
  token_type?: unknown;
}

/**
 * The relying party's side of the authorization code flow (OIDC Core §3.1, RFC 7636 PKCE S256), as a server-side
 * client does it: discovery and JWKS fetched once; per flow the request, the callback's checks, the token request
 * with client_secret_basic, the ID token checked (ES256 signature against the JWKS, iss, aud, exp, nonce), userinfo.
 *
 * The provider may publish an issuer other than the loopback address it listens on (the IdP's ISSUER_URL):
 * `hosts` maps the issuer's origin onto that address, as a hosts-file entry would, for this client and its browsers.
 */
export class OidcRelyingParty {
  private constructor(
    readonly client: OidcClientRegistration,
    readonly provider: DiscoveredProvider,
    readonly hosts: ReadonlyMap<string, string>,
  ) {}

  /** Discovery at `baseUrl` (where the provider listens), then its JWKS, once. */
  static async discover(baseUrl: string, client: OidcClientRegistration): Promise<OidcRelyingParty> {
    const metadata = await getJson<Record<string, unknown>>(new URL('/.well-known/openid-configuration', baseUrl));
    const endpoint = (name: string): URL => {
      const value = metadata[name];
      if (typeof value !== 'string') throw new Error(`discovery has no ${name}`);
      return new URL(value);
    };
    const issuer = String(metadata.issuer);
    const listening = new URL(baseUrl).origin;
    const hosts = new Map(new URL(issuer).origin === listening ? [] : [[new URL(issuer).origin, listening]]);
    const jwks = await getJson<JSONWebKeySet>(servedAt(endpoint('jwks_uri'), hosts));
    const provider = {
      issuer,
      authorizationEndpoint: endpoint('authorization_endpoint'),
      tokenEndpoint: endpoint('token_endpoint'),
      userinfoEndpoint: endpoint('userinfo_endpoint'),
      keys: createLocalJWKSet(jwks),
    };
    return new OidcRelyingParty(client, provider, hosts);
  }

  /** Where a URL the provider published is fetched from. */
  served(url: URL): URL {
    return servedAt(url, this.hosts);
  }

  /** A fresh authorization request: code flow, PKCE S256, state, nonce, and the holder as `login_hint`. */
  authorizationRequest(loginHint: string): PendingAuthorization {
    const codeVerifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const url = new URL(this.provider.authorizationEndpoint);
    url.search = new URLSearchParams({
      client_id: this.client.clientId,
      response_type: 'code',
      redirect_uri: this.client.redirectUri,
      scope: this.client.scope,
      state,
      nonce,
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
      login_hint: loginHint,
    }).toString();
    return { url, state, nonce, codeVerifier };
  }

  /** Whether the browser has come back to the client (its redirect URI). */
  isCallback(url: URL): boolean {
    return `${url.origin}${url.pathname}` === this.client.redirectUri;
  }

  /** The code of a callback, after checking state and, when present, `iss` (RFC 9207). */
  codeOf(callback: URL, pending: PendingAuthorization): string {
    const params = callback.searchParams;
    const error = params.get('error');
    if (error) throw new FlowFailure(`authorization answered error=${error}`);
    if (params.get('state') !== pending.state) throw new FlowFailure('callback state differs from the request');
    const iss = params.get('iss');
    if (iss !== null && iss !== this.provider.issuer) throw new FlowFailure('callback iss differs from the issuer');
    const code = params.get('code');
    if (!code) throw new FlowFailure('callback without code');
    return code;
  }

  /** The token request (client_secret_basic, the PKCE verifier); the ID token checked. */
  async redeem(code: string, pending: PendingAuthorization): Promise<{ accessToken: string; subject: string }> {
    const { clientId, clientSecret, redirectUri } = this.client;
    // RFC 6749 §2.3.1: each part form-urlencoded before the Basic encoding.
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    const response = await fetch(this.served(this.provider.tokenEndpoint), {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: pending.codeVerifier,
      }).toString(),
    });
    const answer = await readOAuthAnswer<TokenAnswer>('token', response);
    if (typeof answer.access_token !== 'string' || typeof answer.id_token !== 'string') {
      throw new FlowFailure('token answer without access_token or id_token');
    }
    if (String(answer.token_type).toLowerCase() !== 'bearer') throw new FlowFailure('token_type is not Bearer');
    const subject = await this.checkIdToken(answer.id_token, pending);
    return { accessToken: answer.access_token, subject };
  }

  /** GET userinfo with the access token: it must answer for the ID token's subject, with the profile claims. */
  async userinfo(accessToken: string, subject: string): Promise<void> {
    const response = await fetch(this.served(this.provider.userinfoEndpoint), {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    });
    const claims = await readOAuthAnswer<Record<string, unknown>>('userinfo', response);
    if (claims.sub !== subject) throw new FlowFailure('userinfo sub differs from the ID token');
    if (typeof claims.given_name !== 'string') throw new FlowFailure('userinfo without given_name');
  }

  /** OIDC Core §3.1.3.7: signature (JWKS fetched once), iss, aud, exp, then the nonce of this request. */
  private async checkIdToken(idToken: string, pending: PendingAuthorization): Promise<string> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(idToken, this.provider.keys, {
        issuer: this.provider.issuer,
        audience: this.client.clientId,
        algorithms: ['ES256'],
        requiredClaims: ['sub', 'iat', 'exp'],
      }));
    } catch (error) {
      throw new FlowFailure(`id_token ${error instanceof errors.JOSEError ? error.code : String(error)}`);
    }
    if (payload.nonce !== pending.nonce) throw new FlowFailure('id_token nonce differs from the request');
    if (typeof payload.sub !== 'string') throw new FlowFailure('id_token sub is not a string');
    return payload.sub;
  }
}

/** A JSON answer of an OAuth endpoint; an error answer becomes a FlowFailure with its status and `error` code. */
async function readOAuthAnswer<T>(step: string, response: Response): Promise<T> {
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FlowFailure(`${step} ${response.status} (not JSON)`);
  }
  if (!response.ok) {
    const error = (parsed as { error?: unknown } | null)?.error;
    throw new FlowFailure(`${step} ${response.status} ${typeof error === 'string' ? error : 'unknown'}`);
  }
  return parsed as T;
}

async function getJson<T>(url: URL): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET ${url.href}: ${response.status}`);
  return (await response.json()) as T;
}
