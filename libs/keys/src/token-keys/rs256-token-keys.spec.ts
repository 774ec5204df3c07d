import { X509Certificate } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { InProcessStore } from '#idtoken/platform';
import { InMemoryRecords, TestClock } from '../testing/in-memory-token-keys.js';
import { KEYS_CHANGED_CHANNEL } from './key-changes.js';
import { RS256_TOKEN_KEYS } from './rs256.family.js';
import { Rs256TokenKeys } from './rs256-token-keys.js';
import { TokenKeys } from './token-keys.js';

const SETTINGS = { publishAheadSeconds: 300, retiredGraceSeconds: 3600 };

/** Both families on one key_material table and one change channel, as KeysModule builds them. */
async function setUp() {
  const clock = new TestClock();
  const es256Records = new InMemoryRecords(clock);
  const rs256Records = new InMemoryRecords(clock, RS256_TOKEN_KEYS, es256Records.allRows, es256Records.events);
  const store = new InProcessStore();
  const es256 = new TokenKeys(es256Records, store, clock, SETTINGS);
  const rs256 = new Rs256TokenKeys(rs256Records, store, clock, SETTINGS);
  await es256.start();
  await rs256.start();
  return { clock, store, es256Records, rs256Records, es256, rs256 };
}

const claims = (clock: TestClock) => {
  const iat = Math.floor(clock.now().getTime() / 1000);
  return { iss: 'https://id.example', sub: 's', aud: 'svc', iat, exp: iat + 300 };
};

describe('Rs256TokenKeys beside the ES256 TokenKeys', () => {
  it('creates one key per family on first boot, each in rows of its own purpose', async () => {
    const { es256Records, rs256Records } = await setUp();
    expect(es256Records.allRows.map((row) => [row.purpose, row.algorithm])).toEqual([
      ['token-signing', 'ES256'],
      ['token-signing-rs256', 'RS256'],
    ]);
    expect(es256Records.rows[0]!.certificateDer).toBeNull();
    expect(rs256Records.rows[0]!.certificateDer).toBeInstanceOf(Buffer);
    expect(es256Records.events.map((event) => [event.type, event.data?.algorithm])).toEqual([
      ['keys.token_key_created', 'ES256'],
      ['keys.token_key_created', 'RS256'],
    ]);
  });

  it('signs an RS256 JWT with header { alg: "RS256", kid, typ } that verifies against its published key', async () => {
    const { clock, rs256Records, rs256 } = await setUp();
    const jwt = await rs256.signJwt(claims(clock));
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'RS256', kid: rs256Records.rows[0]!.kid, typ: 'JWT' });
    const [jwk] = (await rs256.publicJwks()).keys;
    await expect(jwtVerify(jwt, await importJWK(jwk!, 'RS256'), { currentDate: clock.now() })).resolves.toBeDefined();
  });

  it('hands facades the current RS256 key with its certificate', async () => {
    const { rs256 } = await setUp();
    const key = await rs256.signingKey();
    expect(key).toMatchObject({ algorithm: 'RS256', kid: expect.any(String) });
    expect(new X509Certificate(key.certificateDer).checkPrivateKey(key.privateKey)).toBe(true);
  });

  it('hands out the ES256 key without a certificate, as before', async () => {
    const { es256 } = await setUp();
    expect(await es256.signingKey()).toMatchObject({ algorithm: 'ES256', certificateDer: null });
  });

  it('rotates the RS256 keys without touching the ES256 ones', async () => {
    const { clock, es256Records, es256, rs256 } = await setUp();
    const es256Before = es256Records.rows.map((row) => ({ ...row }));
    const es256Jwks = await es256.publicJwks();
    const oldRs256 = (await rs256.signingKey()).kid;

    const rotated = await rs256.rotate({ actor: 'admin:k1' });
    expect(rotated.retiring).toEqual([oldRs256]);
    expect(es256Records.events.at(-1)).toMatchObject({
      type: 'keys.token_key_rotated',
      subject: rotated.kid,
      data: { algorithm: 'RS256' },
    });
    expect((await rs256.publicJwks()).keys.map((key) => key.kid)).toEqual([oldRs256, rotated.kid]);

    clock.advance(SETTINGS.publishAheadSeconds);
    expect((await rs256.signingKey()).kid).toBe(rotated.kid);
    expect(es256Records.rows).toEqual(es256Before);
    expect(await es256.publicJwks()).toEqual(es256Jwks);
    expect((await es256.list()).map((key) => key.status)).toEqual(['current']);
  });

  it('rotates the ES256 keys without touching the RS256 ones', async () => {
    const { rs256Records, es256 } = await setUp();
    const rs256Before = rs256Records.rows.map((row) => ({ ...row }));
    expect((await es256.rotate({ actor: 'admin:k1' })).retiring).toHaveLength(1);
    expect(rs256Records.rows).toEqual(rs256Before);
  });

  it('reloads on the same change channel as the ES256 keys', async () => {
    const { clock, store, es256Records, rs256Records, rs256 } = await setUp();
    await rs256.publicJwks(); // cached
    const otherNode = new Rs256TokenKeys(rs256Records, store, clock, SETTINGS);
    await otherNode.start();
    const seen = new Promise<void>((resolve) => void store.subscribe(KEYS_CHANGED_CHANNEL, () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
    const { kid } = await otherNode.rotate({ actor: 'admin:k1' });
    await seen;
    expect((await rs256.publicJwks()).keys.map((key) => key.kid)).toContain(kid);
    expect(es256Records.rows).toHaveLength(1);
    await otherNode.stop();
    await rs256.stop();
  });
});
