/** What the schedule needs of a token-signing key; the rules below are pure so they are tested with any clock. */
export interface ScheduledKey {
  kid: string;
  createdAt: Date;
  /** From here on the key may sign; it is published from its creation on (publish-ahead). */
  activatesAt: Date;
  /** From here on the key no longer signs; it stays published for the retired grace after it. */
  retiredAt: Date | null;
  /** From here on the key is not published either, whatever its grace (withdrawn by an admin). */
  withdrawnAt?: Date | null;
}

/**
 * `next`: published, not yet signing (verifiers fetch it before it signs). `current`: the one key that signs.
 * `previous`: published, no longer signing (tokens it signed are still valid). `retired`: no longer published.
 * `withdrawn`: taken out of the JWKS by an admin before its grace ended (tokens it signed no longer verify).
 */
export type KeyStatus = 'next' | 'current' | 'previous' | 'retired' | 'withdrawn';

function withdrawn(key: ScheduledKey, now: Date): boolean {
  return key.withdrawnAt != null && key.withdrawnAt <= now;
}

/** The signing key: the newest key that has activated and has not retired; undefined if none. */
export function currentKey<K extends ScheduledKey>(keys: readonly K[], now: Date): K | undefined {
  let best: K | undefined;
  for (const key of keys) {
    const active = key.activatesAt <= now && (key.retiredAt === null || key.retiredAt > now) && !withdrawn(key, now);
    if (!active) continue;
    // Two nodes booting together on an empty database may each create a key: all nodes pick the same one.
    if (!best || newer(key, best)) best = key;
  }
  return best;
}

export function keyStatus(key: ScheduledKey, current: ScheduledKey | undefined, now: Date, graceMs: number): KeyStatus {
  if (withdrawn(key, now)) return 'withdrawn';
  if (current && key.kid === current.kid) return 'current';
  if (key.activatesAt > now) return 'next';
  // A token signed just before retirement is valid for up to its lifetime: the grace must cover it.
  if (key.retiredAt && now.getTime() >= key.retiredAt.getTime() + graceMs) return 'retired';
  return 'previous';
}

/** The keys a JWKS publishes at `now`: every key not yet retired past its grace. */
export function publishedKeys<K extends ScheduledKey>(keys: readonly K[], now: Date, graceMs: number): K[] {
  const current = currentKey(keys, now);
  return keys.filter((key) => {
    const status = keyStatus(key, current, now, graceMs);
    return status !== 'retired' && status !== 'withdrawn';
  });
}

function newer(a: ScheduledKey, b: ScheduledKey): boolean {
  const byActivation = a.activatesAt.getTime() - b.activatesAt.getTime();
  if (byActivation !== 0) return byActivation > 0;
  const byCreation = a.createdAt.getTime() - b.createdAt.getTime();
  return byCreation !== 0 ? byCreation > 0 : a.kid > b.kid;
}
