import { CLIENT_ASSERTION_TYPE, createClientAssertion, type ClientAssertionKey } from './client-assertion.js';
import { basicAuthorization, endpoint, readJson, type FetchLike } from './http.js';

export interface InitiateLoginOptions {
  /** The IDToken server, e.g. `https://id.example`. */
  baseUrl: string;
  serviceId: string;
  /** The `serviceSecret` from registration: sent as `Authorization: Basic base64(serviceId:secret)`. */
  secret?: string;
  /** Instead of a secret: sign an RFC 7523 client assertion with this key. */
  clientAssertion?: ClientAssertionKey;
  /** The server's issuer URL, the `aud` of a client assertion. Default: baseUrl. */
  issuer?: string;
  /** The user's tokenId, when you know it; without it the session is claims-only (spec §6.5) and answers a `qr`. */
  tokenId?: string;
  /** Your Service VDS (recommended by spec §6.1); without it the body names the service by `serviceId`. */
  serviceVds?: string;
  /** Default: the service's `defaultScopes`. */
  scopes?: string[];
  fetch?: FetchLike;
  signal?: AbortSignal;
}

/** spec §6.1 (and §6.5 `qr`): what the relying party hands to the browser, except that it keeps nothing secret. */
export interface InitiateAnswer {
  sessionId: string;
  /** The 6-digit code the user compares with the phone; absent in claims-only sessions. */
  autoPassword?: string;
  /** The browser's credential for the `/session` socket and the polling fallback; also keys the approval hash. */
  wsToken: string;
  /** 32 lower-case hex digits; the approval must carry it back. */
  random: string;
  /** ISO 8601. */
  expiresAt: string;
  /** Claims-only sessions: `IDTK1:…`, to be shown as a QR code. */
  qr?: string;
}

/**
 * spec §6.1: `POST {baseUrl}/auth/initiate` from the relying party's backend. Throws IdTokenError with the
 * problem's `code` (`service_unauthenticated`, `service_not_trusted`, `invalid_scope`, `rate_limited`, …).
 */
export async function initiateLogin(options: InitiateLoginOptions): Promise<InitiateAnswer> {
  if (options.secret !== undefined && options.clientAssertion !== undefined) {
    throw new TypeError('initiateLogin: give either secret or clientAssertion, not both');
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, application/problem+json',
  };
  const body: Record<string, unknown> = {
    ...(options.tokenId === undefined ? {} : { tokenId: options.tokenId }),
    ...(options.serviceVds === undefined ? { serviceId: options.serviceId } : { serviceVds: options.serviceVds }),
    ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
  };
  if (options.secret !== undefined) {
    headers.authorization = basicAuthorization(options.serviceId, options.secret);
  } else if (options.clientAssertion !== undefined) {
    body.client_assertion_type = CLIENT_ASSERTION_TYPE;
    body.client_assertion = await createClientAssertion(
      options.serviceId,
      options.issuer ?? options.baseUrl,
      options.clientAssertion,
    );
  }
  const send = options.fetch ?? globalThis.fetch;
  const response = await send(endpoint(options.baseUrl, '/auth/initiate'), {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: options.signal,
  });
  return readJson<InitiateAnswer>(response);
}
