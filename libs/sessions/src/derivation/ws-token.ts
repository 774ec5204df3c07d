import { createHmac } from 'node:crypto';
import { deriveKey } from '#idtoken/platform';

/** spec §6.1: wsToken = b64url(HMAC-SHA256(K_ws, sessionId + "|" + expiresAtUnix)), K_ws per spec §1. */
export function deriveWsToken(master: Buffer, sessionId: string, expiresAtUnix: number): string {
  // A fraction or NaN would stringify into a token no other implementation derives.
  if (!Number.isSafeInteger(expiresAtUnix)) throw new TypeError('expiresAtUnix must be an integer');
  const kWs = deriveKey(master, 'IDToken/v1/ws');
  return createHmac('sha256', kWs).update(`${sessionId}|${expiresAtUnix}`, 'utf8').digest('base64url');
}
