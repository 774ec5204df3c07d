import { createHmac } from 'node:crypto';
import { deriveKey } from '#idtoken/platform';

/** spec §7: pairwise sub = b64url(HMAC-SHA256(K_sub, serviceId + "|" + tokenId)), K_sub per spec §1. */
export function pairwiseSubject(master: Buffer, serviceId: string, tokenId: string): string {
  const kSub = deriveKey(master, 'IDToken/v1/pairwise-sub');
  return createHmac('sha256', kSub).update(`${serviceId}|${tokenId}`, 'utf8').digest('base64url');
}
