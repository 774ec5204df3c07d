import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * spec §6.2: the presented OTP is compared in constant time. Both sides are hashed first so that
 * timingSafeEqual always sees equal-length buffers and a wrong length is just a mismatch, not an early exit.
 */
export function otpMatches(expected: string, presented: string): boolean {
  const digest = (code: string): Buffer => createHash('sha256').update(code, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(presented));
}
