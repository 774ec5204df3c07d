import { randomBytes } from 'node:crypto';

/** spec §6.1: `random` = 16 random bytes as lower-case hex (also the OTP's HKDF salt). */
export function newSessionRandom(): string {
  return randomBytes(16).toString('hex');
}
