import { randomBytes } from 'node:crypto';

/** spec §6.1: `sessionId = "sess_" + b64url(16 random bytes)`. */
export function newSessionId(): string {
  return `sess_${randomBytes(16).toString('base64url')}`;
}
