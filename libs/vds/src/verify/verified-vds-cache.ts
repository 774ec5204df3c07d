import type { KeyObject } from 'node:crypto';
import type { DecodedVds, VdsPayload, VdsSigner } from '../types.js';

/** What the steps of spec §2 that depend on a credential's bytes alone found for one credential that passed. */
export interface CheckedVds {
  decoded: DecodedVds;
  payload: VdsPayload;
  /** The signing certificate and key that verified its signature (step 5). */
  verifiedWith: { certificateDer: Buffer; publicKey: KeyObject };
}

/** One relying party's Service VDS per entry, for every service active on a node; the least recently used goes first. */
const DEFAULT_MAX_ENTRIES = 1_000;

/**
 * Credentials that passed `verifyVds` recently, by their exact text (one text, one fingerprint): a relying party
 * presents the same Service VDS at every initiate (docs/performance.md). Decoding (step 1), manifest and schema (2) and
 * the signature (5) depend only on the credential's bytes and the signer's key, so a hit skips them while the trust
 * store answers with the same certificate and key. The steps that depend on the moment or on the trust store's state —
 * the signer found (3) and trusted (4), expiry (6), revocation (7) — run at every verification. What a hit returns is
 * shared between callers: read it, never change it.
 */
export class VerifiedVdsCache {
  private readonly entries = new Map<string, CheckedVds>();

  constructor(readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  get size(): number {
    return this.entries.size;
  }

  has(text: string): boolean {
    return this.entries.has(text);
  }

  /** The checked credential of `text`, now the most recently used; undefined when it is not kept. */
  take(text: string): CheckedVds | undefined {
    const checked = this.entries.get(text);
    if (checked) {
      this.entries.delete(text);
      this.entries.set(text, checked);
    }
    return checked;
  }

  /** Keeps a credential that passed every step, verified with `signer`. */
  remember(text: string, decoded: DecodedVds, payload: VdsPayload, signer: VdsSigner): void {
    this.entries.delete(text);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    const verifiedWith = { certificateDer: Buffer.from(signer.certificateDer), publicKey: signer.publicKey };
    this.entries.set(text, { decoded, payload, verifiedWith });
  }
}

/** Whether `signer` is the certificate and key a cached signature was verified with. */
export function verifiedBy(checked: CheckedVds, signer: VdsSigner): boolean {
  const { certificateDer, publicKey } = checked.verifiedWith;
  return certificateDer.equals(signer.certificateDer) && publicKey.equals(signer.publicKey);
}
