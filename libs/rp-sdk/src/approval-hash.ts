import { base64url } from 'jose';

/** `HMAC-SHA256` keyed by the b64url-decoded wsToken, as a WebCrypto key. */
function wsTokenKey(wsToken: string) {
  return globalThis.crypto.subtle.importKey(
    'raw',
    base64url.decode(wsToken),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
}

function approvalMessage(sessionId: string, random: string, jwt: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`approved|${sessionId}|${random}|${jwt}`);
}

/**
 * spec §6.4: hash = b64url(HMAC-SHA256(key = b64url-decoded wsToken, "approved|" + sessionId + "|" + random + "|"
 * + jwt)).
 */
export async function computeApprovalHash(
  wsToken: string,
  sessionId: string,
  random: string,
  jwt: string,
): Promise<string> {
  const mac = await globalThis.crypto.subtle.sign(
    'HMAC',
    await wsTokenKey(wsToken),
    approvalMessage(sessionId, random, jwt),
  );
  return base64url.encode(new Uint8Array(mac));
}

/**
 * Whether `hash` is the approval hash of (sessionId, random, jwt) under wsToken. WebCrypto's HMAC verify compares
 * in constant time; a hash that is not base64url never matches.
 */
export async function approvalHashMatches(
  hash: string,
  wsToken: string,
  sessionId: string,
  random: string,
  jwt: string,
): Promise<boolean> {
  let presented: Uint8Array<ArrayBuffer>;
  try {
    presented = new Uint8Array(base64url.decode(hash));
  } catch {
    return false;
  }
  return globalThis.crypto.subtle.verify(
    'HMAC',
    await wsTokenKey(wsToken),
    presented,
    approvalMessage(sessionId, random, jwt),
  );
}
