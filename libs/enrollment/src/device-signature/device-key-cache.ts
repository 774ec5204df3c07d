import { createPublicKey, type KeyObject } from 'node:crypto';

/** Enough for every phone active in a busy hour on one node; the oldest key goes first. */
const MAX_KEYS = 10_000;
const keys = new Map<string, KeyObject>();

/**
 * The KeyObject of an enrolled device key (SPKI DER). Importing a key costs more CPU than the ECDSA verify it serves
 * (docs/performance.md), and a holder's key is used at every login: keys are kept by their exact bytes — a
 * different key is a different entry, so a cached key never answers for another.
 */
export function devicePublicKey(spkiDer: Buffer): KeyObject {
  const id = spkiDer.toString('base64');
  const cached = keys.get(id);
  if (cached) {
    // Most recently used last: the first entry is the one to drop.
    keys.delete(id);
    keys.set(id, cached);
    return cached;
  }
  const key = createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value as string);
  keys.set(id, key);
  return key;
}
