import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MASTER_SECRET_MIN_BYTES = 32;
export const MASTER_SECRET_FILE = 'master-secret';

/**
 * Decodes IDTOKEN_MASTER_SECRET: hex, or base64 / base64url (padding optional).
 * Returns undefined when the text is neither or holds fewer than 32 bytes (spec §1: MASTER ≥ 32 random bytes).
 */
export function decodeMasterSecret(text: string): Buffer | undefined {
  const trimmed = text.trim();
  let bytes: Buffer | undefined;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(trimmed)) {
    bytes = Buffer.from(trimmed, 'hex');
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const decoded = Buffer.from(trimmed, 'base64url');
    // Refuse text that base64 would silently truncate or that is not canonical.
    if (decoded.toString('base64url') === trimmed.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')) {
      bytes = decoded;
    }
  }
  return bytes && bytes.length >= MASTER_SECRET_MIN_BYTES ? bytes : undefined;
}

/**
 * Development only: reads the master secret kept in DATA_DIR, or creates it once (mode 0600).
 * `created` tells the caller to warn loudly: anyone with that file can mint this server's OTPs and keys.
 */
export function loadOrCreateDevMasterSecret(dataDir: string): {
  secret: Buffer;
  path: string;
  created: boolean;
} {
  const path = join(dataDir, MASTER_SECRET_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    const secret = decodeMasterSecret(readFileSync(path, 'utf8'));
    if (!secret) throw new Error(`${path} does not hold a valid master secret (≥ 32 bytes, hex or base64)`);
    return { secret, path, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(MASTER_SECRET_MIN_BYTES);
  try {
    // 'wx' fails if another process created the file first; then we read theirs.
    writeFileSync(path, `${secret.toString('base64url')}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
    return { secret, path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return loadOrCreateDevMasterSecret(dataDir);
  }
}
