import { base64url, SignJWT, type CryptoKey, type JWK, type KeyObject } from 'jose';

/** RFC 7523 §2.2: the value of `client_assertion_type` for a JWT bearer client assertion. */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A private key whose public half is registered with the service (spec §6.1), and how to sign with it. */
export interface ClientAssertionKey {
  privateKey: CryptoKey | KeyObject | JWK;
  /** A JWS algorithm the key supports and the server accepts, e.g. `ES256`. */
  alg: string;
  kid?: string;
}

/** spec §6.1 service authentication by RFC 7523 client assertion: lives 60 s, used once (`jti`). */
export const CLIENT_ASSERTION_LIFETIME_S = 60;

/**
 * A client assertion for `serviceId` addressed to the server whose issuer URL is `audience`: claims `iss` = `sub` =
 * serviceId, `aud`, `iat`, `exp` = iat + 60, `jti` (16 random bytes, b64url); header `{alg, kid, typ: "JWT"}`.
 */
export async function createClientAssertion(
  serviceId: string,
  audience: string,
  key: ClientAssertionKey,
  now: Date = new Date(),
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  const jti = base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(16)));
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', ...(key.kid === undefined ? {} : { kid: key.kid }) })
    .setIssuer(serviceId)
    .setSubject(serviceId)
    .setAudience(audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + CLIENT_ASSERTION_LIFETIME_S)
    .setJti(jti)
    .sign(key.privateKey);
}
