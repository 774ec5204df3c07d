import { hkdfSync } from 'node:crypto';

/** HKDF-SHA256 with empty salt (spec §1), e.g. deriveKey(MASTER, 'IDToken/v1/ws') = K_ws. */
export function deriveKey(master: Buffer, info: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, length));
}
