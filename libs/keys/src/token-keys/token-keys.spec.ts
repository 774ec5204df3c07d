import { decodeProtectedHeader, importJWK, jwtVerify, type JWTPayload } from 'jose';
import { DomainError, InProcessStore } from '#idtoken/platform';
import type { Clock } from '../clock.js';
import { InMemoryRecords, TestClock } from '../testing/in-memory-token-keys.js';
import { KEYS_CHANGED_CHANNEL } from './key-changes.js';
import { TokenKeys } from './token-keys.js';

const AHEAD = 300;
const GRACE = 3600;

async function setUp() {
  const clock = new TestClock();
  const records = new InMemoryRecords(clock);
  const store = new InProcessStore();
  const keys = new TokenKeys(records, store, clock, { publishAheadSeconds: AHEAD, retiredGraceSeconds: GRACE });
  await keys.start();
  return { clock, records, store, keys };
}

const claims = (clock: Clock, lifetime = 300): JWTPayload => {
  const iat = Math.floor(clock.now().getTime() / 1000);
  return { iss: 'https://id.example', sub: 's', aud: 'svc', iat, exp: iat + lifetime };
};

async function verifyWith(keys: TokenKeys, clock: Clock, jwt: string) {
  const { kid } = decodeProtectedHeader(jwt);
  const jwk = (await keys.publicJwks()).keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`kid ${kid} is not published`);
  return jwtVerify(jwt, await importJWK(jwk, 'ES256'), { currentDate: clock.now() });
}

describe('TokenKeys', () => {
  it('creates one key on first boot that signs at once, and none on the next boot', async () => {
    const { clock, records, store } = await setUp();
    expect(records.rows).toHaveLength(1);
    expect(records.events[0]).toMatchObject({ type: 'keys.token_key_created', actor: 'system' });
    await new TokenKeys(records, store, clock, { publishAheadSeconds: AHEAD, retiredGraceSeconds: GRACE }).start();
    expect(records.rows).toHaveLength(1);
  });

  it('signs an ES256 JWT with header { alg, kid, typ: "JWT" } that verifies against its published key', async () => {
    const { clock, records, keys } = await setUp();
    const jwt = await keys.signJwt(claims(clock));
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', kid: records.rows[0]!.kid, typ: 'JWT' });
    await expect(verifyWith(keys, clock, jwt)).resolves.toBeDefined();
  });

  it('names each key by its RFC 7638 thumbprint and publishes no private member', async () => {
    const { keys } = await setUp();
    const [jwk] = (await keys.publicJwks()).keys;
    expect(Object.keys(jwk!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(jwk!.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('publishes a rotated-in key at once but signs with it only after the publish-ahead delay', async () => {
    const { clock, records, keys } = await setUp();
    const oldKid = records.rows[0]!.kid;
    const rotated = await keys.rotate({ actor: 'admin:bootstrap' });
    expect(rotated.activatesAt.getTime() - clock.now().getTime()).toBe(AHEAD * 1000);
    expect((await keys.publicJwks()).keys.map((k) => k.kid)).toEqual([oldKid, rotated.kid]);

    clock.advance(AHEAD - 1);
    expect(decodeProtectedHeader(await keys.signJwt(claims(clock))).kid).toBe(oldKid);
    clock.advance(1);
    expect(decodeProtectedHeader(await keys.signJwt(claims(clock))).kid).toBe(rotated.kid);
  });

  it('keeps the old key published until its last token expires, then drops it', async () => {
    const { clock, keys } = await setUp();
    const { kid: newKid } = await keys.rotate({ actor: 'admin:bootstrap' });
    clock.advance(AHEAD - 1);
    // The worst case: the old key's last token, with the longest lifetime the grace allows.
    const lastOld = await keys.signJwt(claims(clock, GRACE));
    clock.advance(1 + GRACE - 2);
    await expect(verifyWith(keys, clock, lastOld)).resolves.toBeDefined();
    expect((await keys.list()).map((k) => k.status)).toEqual(['current', 'previous']);
    clock.advance(1);
    expect((await keys.publicJwks()).keys).toHaveLength(2);
    clock.advance(1);
    expect((await keys.publicJwks()).keys.map((k) => k.kid)).toEqual([newKid]);
    expect((await keys.list()).map((k) => k.status)).toEqual(['current', 'retired']);
    await expect(verifyWith(keys, clock, lastOld)).rejects.toThrow(/not published/);
  });

  it('lists a rotation as next / current, and audits it with the actor and the retiring kid', async () => {
    const { records, keys } = await setUp();
    const oldKid = records.rows[0]!.kid;
    const { kid } = await keys.rotate({ actor: 'admin:k1', requestId: 'r1' });
    expect((await keys.list()).map((k) => [k.kid, k.status])).toEqual([
      [kid, 'next'],
      [oldKid, 'current'],
    ]);
    expect(records.events.at(-1)).toMatchObject({ type: 'keys.token_key_rotated', actor: 'admin:k1', subject: kid });
  });

  it('refuses a token that would outlive the retired grace, or has no exp', async () => {
    const { clock, keys } = await setUp();
    await expect(keys.signJwt(claims(clock, GRACE + 1))).rejects.toBeInstanceOf(DomainError);
    await expect(keys.signJwt({ sub: 's' })).rejects.toMatchObject({ code: 'internal_error' });
  });

  it('reloads when another node announces a rotation, without waiting for its cache to expire', async () => {
    const { clock, records, store, keys } = await setUp();
    await keys.publicJwks(); // cached
    const otherNode = new TokenKeys(records, store, clock, { publishAheadSeconds: AHEAD, retiredGraceSeconds: GRACE });
    await otherNode.start();
    const seen = new Promise<void>((resolve) => void store.subscribe(KEYS_CHANGED_CHANNEL, () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
    const { kid } = await otherNode.rotate({ actor: 'admin:k1' });
    await seen;
    expect((await keys.publicJwks()).keys.map((k) => k.kid)).toContain(kid);
    await otherNode.stop();
    await keys.stop();
  });

  it('rereads the database after the cache lifetime even when no message arrives', async () => {
    const { clock, records, keys } = await setUp();
    await keys.publicJwks();
    records.rows[0]!.retiredAt = clock.now(); // changed behind its back, no announcement
    expect((await keys.list())[0]!.status).toBe('current');
    clock.advance(30);
    expect((await keys.list())[0]!.status).toBe('previous');
  });

  it('withdraws a previous key at once and refuses the current and next ones, saying what to do', async () => {
    const { clock, records, keys } = await setUp();
    const oldKid = records.rows[0]!.kid;
    await expect(keys.withdraw(oldKid, { actor: 'admin:k1' })).rejects.toMatchObject({ code: 'conflict' });
    const next = await keys.rotate({ actor: 'admin:k1' });
    await expect(keys.withdraw(next.kid, { actor: 'admin:k1' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/about to sign/),
    });
    await expect(keys.withdraw('unknown', { actor: 'admin:k1' })).rejects.toMatchObject({ code: 'not_found' });
    clock.advance(AHEAD);
    const lastOld = records.rows[0]!;
    expect(lastOld.retiredAt).not.toBeNull();
    const view = await keys.withdraw(oldKid, { actor: 'admin:k1', requestId: 'r-1' });
    expect(view).toMatchObject({ status: 'withdrawn', withdrawnAt: clock.now(), unpublishedAt: clock.now() });
    expect((await keys.publicJwks()).keys.map((k) => k.kid)).toEqual([next.kid]);
    expect(records.events.at(-1)).toMatchObject({
      type: 'keys.token_key_withdrawn',
      subject: oldKid,
      requestId: 'r-1',
    });
    const recorded = records.events.length;
    await keys.withdraw(oldKid, { actor: 'admin:k1' });
    expect(records.events).toHaveLength(recorded);
  });

  it('retires a next key superseded by a later rotation: the old key signs on until the successor activates', async () => {
    const { clock, records, keys } = await setUp();
    const oldKid = records.rows[0]!.kid;
    const first = await keys.rotate({ actor: 'admin:k1' });
    await expect(keys.withdraw(first.kid, { actor: 'admin:k1' })).rejects.toMatchObject({ code: 'conflict' });
    clock.advance(10);
    const second = await keys.rotate({ actor: 'admin:k1' });
    expect((await keys.withdraw(first.kid, { actor: 'admin:k1' })).status).toBe('withdrawn');
    expect((await keys.publicJwks()).keys.map((k) => k.kid)).toEqual([oldKid, second.kid]);
    // The first one's activation time passes: it never signs, the old key goes on, with no gap.
    clock.advance(AHEAD - 10);
    expect(decodeProtectedHeader(await keys.signJwt(claims(clock))).kid).toBe(oldKid);
    clock.advance(10);
    expect(decodeProtectedHeader(await keys.signJwt(claims(clock))).kid).toBe(second.kid);
  });

  it('rotates immediately when asked: the new key signs at once and the old one becomes previous', async () => {
    const { clock, records, keys } = await setUp();
    const oldKid = records.rows[0]!.kid;
    clock.advance(60);
    const rotated = await keys.rotate({ actor: 'admin:k1' }, { immediate: true });
    expect(rotated.activatesAt).toEqual(clock.now());
    expect(decodeProtectedHeader(await keys.signJwt(claims(clock))).kid).toBe(rotated.kid);
    expect((await keys.list()).map((k) => [k.kid, k.status])).toEqual([
      [rotated.kid, 'current'],
      [oldKid, 'previous'],
    ]);
  });
});
