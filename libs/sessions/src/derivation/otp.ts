import { createHmac, hkdfSync } from 'node:crypto';

const SESSION_RANDOM = /^[0-9a-f]{32}$/;

/**
 * spec §6.1: k = HKDF-SHA256(ikm=MASTER, salt=random bytes, info="IDToken/v1/otp|" + tokenId + "|" + sessionId,
 * L=32); h = HMAC-SHA256(k, sessionId); o = h[h[31] & 0x0f .. +4] as uint32 BE & 0x7fffffff; otp = o mod 10^6,
 * zero-padded to 6 digits. Claims-only sessions pass tokenId = "" (spec §6.5).
 */
export function deriveOtp(master: Buffer, tokenId: string, sessionId: string, randomHex: string): string {
  // Buffer.from(…, 'hex') silently truncates at a bad character; a wrong salt must fail loudly instead.
  if (!SESSION_RANDOM.test(randomHex)) throw new TypeError('random must be 16 bytes of lower-case hex');
  const salt = Buffer.from(randomHex, 'hex');
  const k = Buffer.from(hkdfSync('sha256', master, salt, `IDToken/v1/otp|${tokenId}|${sessionId}`, 32));
  const h = createHmac('sha256', k).update(sessionId, 'utf8').digest();
  const offset = h.readUInt8(31) & 0x0f;
  const o = h.readUInt32BE(offset) & 0x7fffffff;
  return String(o % 1_000_000).padStart(6, '0');
}
