/** What the schedule needs of a token-signing key; the rules below are pure so they are tested with any clock. */
export interface ScheduledKey {
  kid: string;
  createdAt: Date;
  /** From here on the key may sign; it is published from its creation on (publish-ahead). */
  activatesAt: Date;
  /** From here on the key no longer signs; it stays published for the retired grace after it. */
  retiredAt: Date | null;
}

/**
 * `next`: published, not yet signing (verifiers fetch it before it signs). `current`: the one key that signs.
 * `previous`: published, no longer signing (tokens it signed are still valid). `retired`: no longer published.
 */
export type KeyStatus = 'next' | 'current' | 'previous' | 'retired';

/** The signing key: the newest key that has activated and has not retired; undefined if none. */
export function currentKey<K extends ScheduledKey>(keys: readonly K[], now: Date): K | undefined {
  let best: K | undefined;
  for (const key of keys) {
    const active = key.activatesAt <= now && (key.retiredAt === null || key.retiredAt > now);
    if (!active) continue;
    // Two nodes booting together on an empty database may each create a key: all nodes pick the same one.
    if (!best || newer(key, best)) best = key;
  }
  return best;
}

export function keyStatus(key: ScheduledKey, current: ScheduledKey | undefined, now: Date, graceMs: number): KeyStatus {
  if (current && key.kid === current.kid) return 'current';
  if (key.activatesAt > now) return 'next';
  // A token signed just before retirement is valid for up to its lifetime: the grace must cover it.
  if (key.retiredAt && now.getTime() >= key.retiredAt.getTime() + graceMs) return 'retired';
  return 'previous';
}

/** The keys a JWKS publishes at `now`: every key not yet retired past its grace. */
export function publishedKeys<K extends ScheduledKey>(keys: readonly K[], now: Date, graceMs: number): K[] {
  const current = currentKey(keys, now);
  return keys.filter((key) => keyStatus(key, current, now, graceMs) !== 'retired');
}

function newer(a: ScheduledKey, b: ScheduledKey): boolean {
  const byActivation = a.activatesAt.getTime() - b.activatesAt.getTime();
  if (byActivation !== 0) return byActivation > 0;
  const byCreation = a.createdAt.getTime() - b.createdAt.getTime();
  return byCreation !== 0 ? byCreation > 0 : a.kid > b.kid;
}
