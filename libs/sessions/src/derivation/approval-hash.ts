import { createHmac } from 'node:crypto';

/**
 * spec §6.4: hash = b64url(HMAC-SHA256(key = b64url-decoded wsToken, "approved|" + sessionId + "|" + random + "|"
 * + jwt)) — the relying party recomputes it (X.1280 anti-forgery).
 */
export function approvalHash(wsToken: string, sessionId: string, randomHex: string, jwt: string): string {
  const key = Buffer.from(wsToken, 'base64url');
  // Node's base64url decoder skips bad characters; only a canonical token may become a key.
  if (wsToken.length === 0 || key.toString('base64url') !== wsToken) throw new TypeError('wsToken is not base64url');
  return createHmac('sha256', key).update(`approved|${sessionId}|${randomHex}|${jwt}`, 'utf8').digest('base64url');
}
