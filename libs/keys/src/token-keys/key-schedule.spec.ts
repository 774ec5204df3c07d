import { currentKey, keyStatus, publishedKeys, type ScheduledKey } from './key-schedule.js';

const T0 = Date.UTC(2030, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const GRACE_MS = 3600_000;

const key = (kid: string, activatesAt: number, retiredAt: number | null = null, createdAt = 0): ScheduledKey => ({
  kid,
  createdAt: at(createdAt),
  activatesAt: at(activatesAt),
  retiredAt: retiredAt === null ? null : at(retiredAt),
});

/** old: signing since 0; rotated at 1000 with a 300 s publish-ahead → new signs from 1300, old retires then. */
const rotated = [key('old', 0, 1300), key('new', 1300, null, 1000)];

const statuses = (keys: ScheduledKey[], seconds: number) => {
  const now = at(seconds);
  const current = currentKey(keys, now);
  return Object.fromEntries(keys.map((k) => [k.kid, keyStatus(k, current, now, GRACE_MS)]));
};

describe('token key schedule', () => {
  it('keeps signing with the old key while the new one is only published (publish-ahead)', () => {
    expect(currentKey(rotated, at(1299))?.kid).toBe('old');
    expect(statuses(rotated, 1299)).toEqual({ old: 'current', new: 'next' });
    expect(publishedKeys(rotated, at(1000), GRACE_MS).map((k) => k.kid)).toEqual(['old', 'new']);
  });

  it('signs with the new key from the instant it activates, the old one becoming previous', () => {
    expect(currentKey(rotated, at(1300))?.kid).toBe('new');
    expect(statuses(rotated, 1300)).toEqual({ old: 'previous', new: 'current' });
  });

  it('drops a withdrawn key from the JWKS at its withdrawal, grace or not, and never lets it sign', () => {
    const withdrawn = [{ ...key('old', 0, 1300), withdrawnAt: at(1400) }, key('new', 1300, null, 1000)];
    expect(statuses(withdrawn, 1399)).toEqual({ old: 'previous', new: 'current' });
    expect(statuses(withdrawn, 1400)).toEqual({ old: 'withdrawn', new: 'current' });
    expect(publishedKeys(withdrawn, at(1400), GRACE_MS).map((k) => k.kid)).toEqual(['new']);
    // Even a key that would otherwise sign (defence in depth: the service refuses to withdraw it).
    const signing = [{ ...key('only', 0), withdrawnAt: at(10) }];
    expect(currentKey(signing, at(10))).toBeUndefined();
    expect(statuses(signing, 10)).toEqual({ only: 'withdrawn' });
  });

  it('publishes the old key until its retirement plus the grace, and not a second longer', () => {
    expect(publishedKeys(rotated, at(1300 + 3599), GRACE_MS).map((k) => k.kid)).toEqual(['old', 'new']);
    expect(publishedKeys(rotated, at(1300 + 3600), GRACE_MS).map((k) => k.kid)).toEqual(['new']);
    expect(statuses(rotated, 1300 + 3600)).toEqual({ old: 'retired', new: 'current' });
  });

  it('has no current key before any key activates', () => {
    expect(currentKey([key('future', 10)], at(9))).toBeUndefined();
  });

  it('picks the same key on every node when two were created together (newest activation, then creation, then kid)', () => {
    const twins = [key('b', 0, null, 5), key('a', 0, null, 5), key('c', 0, null, 4)];
    expect(currentKey(twins, at(1))?.kid).toBe('b');
    expect(statuses(twins, 1)).toEqual({ b: 'current', a: 'previous', c: 'previous' });
  });

  it('hands over twice when rotated again before the first new key activated', () => {
    const twice = [key('k1', 0, 1300), key('k2', 1300, 1310, 1000), key('k3', 1310, null, 1010)];
    expect(currentKey(twice, at(1305))?.kid).toBe('k2');
    expect(currentKey(twice, at(1310))?.kid).toBe('k3');
    expect(statuses(twice, 1100)).toEqual({ k1: 'current', k2: 'next', k3: 'next' });
  });
});
