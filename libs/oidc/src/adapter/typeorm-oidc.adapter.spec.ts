import { DataSource } from 'typeorm';
import { InProcessBackend, InProcessStore, dataSourceOptions } from '#idtoken/platform';
import { migrations } from '#migrations';
import { createTestEnvironment, type TestEnvironment } from '../../../../test/support/test-env.js';
import { OidcModelEntity } from './oidc-model.entity.js';
import {
  EPHEMERAL_OIDC_KINDS,
  createOidcAdapter,
  sweepExpiredOidcModels,
  type OidcAdapterClass,
} from './typeorm-oidc.adapter.js';

// A migrated database of its own: a fresh PostgreSQL database when DATABASE_URL is set, otherwise PGlite.
describe('TypeORM adapter for oidc-provider', () => {
  let env: TestEnvironment;
  let dataSource: DataSource;
  let clock: Date;
  let Adapter: OidcAdapterClass;

  const seconds = (n: number) => new Date(clock.getTime() + n * 1000);

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataSource = await new DataSource(
      dataSourceOptions(env.config, { entities: [OidcModelEntity], migrations }),
    ).initialize();
    await dataSource.runMigrations();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await env?.dispose();
  });
  beforeEach(async () => {
    await dataSource.query(`DELETE FROM oidc_models`);
    clock = new Date('2026-03-01T12:00:00Z');
    Adapter = createOidcAdapter(dataSource, { now: () => clock });
  });

  it('gives back what it stored, nested objects included', async () => {
    const sessions = new Adapter('Session');
    const payload = {
      jti: 's-1',
      uid: 'u-1',
      accountId: 'tok-1',
      authorizations: { 'svc-1': { sid: 'sid-1', grantId: 'g-1', persistsLogout: true } },
      amr: ['hwk', 'user'],
      exp: 1_700_000_000,
    };
    await sessions.upsert('s-1', payload, 3600);
    expect(await sessions.find('s-1')).toEqual(payload);
    expect(await sessions.find('s-2')).toBeUndefined();
  });

  it('keeps models of different kinds with the same id apart', async () => {
    await new Adapter('AccessToken').upsert('same', { kind: 'AccessToken' }, 60);
    await new Adapter('RefreshToken').upsert('same', { kind: 'RefreshToken' }, 60);
    expect(await new Adapter('AccessToken').find('same')).toEqual({ kind: 'AccessToken' });
    expect(await new Adapter('RefreshToken').find('same')).toEqual({ kind: 'RefreshToken' });
  });

  it('replaces the payload and lookup columns when the same id is saved again', async () => {
    const sessions = new Adapter('Session');
    await sessions.upsert('s-1', { uid: 'u-old', accountId: 'a' }, 60);
    await sessions.upsert('s-1', { uid: 'u-new', accountId: 'b' }, 60);
    expect(await sessions.find('s-1')).toEqual({ uid: 'u-new', accountId: 'b' });
    expect(await sessions.findByUid('u-old')).toBeUndefined();
    expect(await sessions.findByUid('u-new')).toEqual({ uid: 'u-new', accountId: 'b' });
    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM oidc_models`);
    expect(count).toBe(1);
  });

  it('reads a model as absent from the second it expires', async () => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('c-1', { grantId: 'g-1' }, 60);
    clock = seconds(59);
    expect(await codes.find('c-1')).toEqual({ grantId: 'g-1' });
    clock = seconds(1);
    expect(await codes.find('c-1')).toBeUndefined();
  });

  it('extends the expiry when saved again with a new expiresIn', async () => {
    const sessions = new Adapter('Session');
    await sessions.upsert('s-1', { uid: 'u-1' }, 60);
    clock = seconds(50);
    await sessions.upsert('s-1', { uid: 'u-1' }, 60);
    clock = seconds(50);
    expect(await sessions.find('s-1')).toEqual({ uid: 'u-1' });
  });

  it('keeps a model saved without expiresIn until it is destroyed', async () => {
    const grants = new Adapter('Grant');
    await grants.upsert('g-1', { accountId: 'a' });
    clock = seconds(10 * 365 * 24 * 3600);
    expect(await grants.find('g-1')).toEqual({ accountId: 'a' });
  });

  it('finds a session by uid and a device code by user code, within their kind and lifetime', async () => {
    const sessions = new Adapter('Session');
    const deviceCodes = new Adapter('DeviceCode');
    await sessions.upsert('s-1', { uid: 'u-1', accountId: 'a' }, 60);
    await deviceCodes.upsert('d-1', { userCode: 'BCDF-GHJK', grantId: 'g-1' }, 600);

    expect(await sessions.findByUid('u-1')).toEqual({ uid: 'u-1', accountId: 'a' });
    expect(await deviceCodes.findByUserCode('BCDF-GHJK')).toEqual({ userCode: 'BCDF-GHJK', grantId: 'g-1' });
    expect(await new Adapter('Interaction').findByUid('u-1')).toBeUndefined();
    expect(await sessions.findByUserCode('BCDF-GHJK')).toBeUndefined();
    expect(await sessions.findByUid('u-2')).toBeUndefined();

    clock = seconds(60);
    expect(await sessions.findByUid('u-1')).toBeUndefined();
    expect(await deviceCodes.findByUserCode('BCDF-GHJK')).toBeDefined();
    // A polled kind stays readable after its expiry, so oidc-provider can answer expired_token (it checks exp).
    clock = seconds(540);
    expect(await deviceCodes.findByUserCode('BCDF-GHJK')).toEqual({ userCode: 'BCDF-GHJK', grantId: 'g-1' });
  });

  it('marks a consumed model with the epoch second it was consumed; a second consume fails and keeps the first', async () => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('c-1', { grantId: 'g-1', nested: { a: 1 } }, 60);
    expect(await codes.find('c-1')).not.toHaveProperty('consumed');

    clock = new Date('2026-03-01T12:00:10.900Z');
    await codes.consume('c-1');
    const consumedAt = Math.floor(clock.getTime() / 1000);
    expect(await codes.find('c-1')).toEqual({ grantId: 'g-1', nested: { a: 1 }, consumed: consumedAt });

    clock = seconds(5);
    await expect(codes.consume('c-1')).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await codes.find('c-1')).toMatchObject({ consumed: consumedAt });
  });

  it('lets exactly one of 10 concurrent consumes of one code win', async () => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('race', { grantId: 'g-race' }, 60);
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => codes.consume('race')));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
  });

  it('keeps a consumed model consumed when it is saved again', async () => {
    const refreshTokens = new Adapter('RefreshToken');
    await refreshTokens.upsert('r-1', { grantId: 'g-1' }, 600);
    await refreshTokens.consume('r-1');
    await refreshTokens.upsert('r-1', { grantId: 'g-1', rotations: 1 }, 600);
    expect(await refreshTokens.find('r-1')).toEqual({
      grantId: 'g-1',
      rotations: 1,
      consumed: Math.floor(clock.getTime() / 1000),
    });
  });

  it('destroys one model of one kind', async () => {
    const accessTokens = new Adapter('AccessToken');
    await accessTokens.upsert('a-1', { grantId: 'g-1' }, 60);
    await accessTokens.upsert('a-2', { grantId: 'g-1' }, 60);
    await new Adapter('RefreshToken').upsert('a-1', { grantId: 'g-1' }, 60);

    await accessTokens.destroy('a-1');
    expect(await accessTokens.find('a-1')).toBeUndefined();
    expect(await accessTokens.find('a-2')).toBeDefined();
    expect(await new Adapter('RefreshToken').find('a-1')).toBeDefined();
    await expect(accessTokens.destroy('unknown')).resolves.toBeUndefined();
  });

  it('revokes every model issued under a grant, of every kind, and leaves other grants alone', async () => {
    await new Adapter('AccessToken').upsert('at-1', { grantId: 'g-1' }, 60);
    await new Adapter('RefreshToken').upsert('rt-1', { grantId: 'g-1' }, 600);
    await new Adapter('AuthorizationCode').upsert('ac-1', { grantId: 'g-1' }, 60);
    await new Adapter('AccessToken').upsert('at-2', { grantId: 'g-2' }, 60);
    await new Adapter('Grant').upsert('g-1', { accountId: 'a' }, 600);

    await new Adapter('AccessToken').revokeByGrantId('g-1');

    expect(await new Adapter('AccessToken').find('at-1')).toBeUndefined();
    expect(await new Adapter('RefreshToken').find('rt-1')).toBeUndefined();
    expect(await new Adapter('AuthorizationCode').find('ac-1')).toBeUndefined();
    expect(await new Adapter('AccessToken').find('at-2')).toEqual({ grantId: 'g-2' });
    // The grant itself is oidc-provider's to destroy (Grant.adapter.destroy); it carries no grantId.
    expect(await new Adapter('Grant').find('g-1')).toEqual({ accountId: 'a' });
  });

  it('asks the client finder for clients and stores none of them', async () => {
    const asked: string[] = [];
    const WithRegistry = createOidcAdapter(dataSource, {
      now: () => clock,
      clientFinder: async (id) => {
        asked.push(id);
        return id === 'svc-1' ? { client_id: 'svc-1', redirect_uris: ['https://rp.example/cb'] } : undefined;
      },
    });
    const clients = new WithRegistry('Client');

    expect(await clients.find('svc-1')).toEqual({ client_id: 'svc-1', redirect_uris: ['https://rp.example/cb'] });
    expect(await clients.find('svc-2')).toBeUndefined();
    expect(asked).toEqual(['svc-1', 'svc-2']);

    await clients.upsert('svc-3', { client_id: 'svc-3' }, 60);
    await clients.destroy('svc-1');
    const rows: unknown[] = await dataSource.query(`SELECT 1 FROM oidc_models`);
    expect(rows).toEqual([]);

    // Other kinds behave as usual on the same adapter class.
    await new WithRegistry('Session').upsert('s-1', { uid: 'u-1' }, 60);
    expect(await new WithRegistry('Session').find('s-1')).toEqual({ uid: 'u-1' });
  });

  it('stores clients like any model when no client finder is given', async () => {
    const clients = new Adapter('Client');
    await clients.upsert('dyn-1', { client_id: 'dyn-1' });
    expect(await clients.find('dyn-1')).toEqual({ client_id: 'dyn-1' });
  });

  it('sweeps only rows expired for longer than the grace period', async () => {
    const accessTokens = new Adapter('AccessToken');
    await accessTokens.upsert('long-expired', {}, 60);
    await accessTokens.upsert('just-expired', {}, 3600);
    await accessTokens.upsert('live', {}, 7200);
    await new Adapter('Grant').upsert('no-expiry', {});

    // 60 s + 1 h grace have passed for the first; the second expired 60 s ago, within the grace.
    const at = seconds(3600 + 60);
    expect(await sweepExpiredOidcModels(dataSource, at)).toBe(1);

    const rows: { id: string }[] = await dataSource.query(`SELECT id FROM oidc_models ORDER BY id`);
    expect(rows.map((row) => row.id)).toEqual(['just-expired', 'live', 'no-expiry']);
    expect(await sweepExpiredOidcModels(dataSource, at)).toBe(0);
  });

  describe('with the ephemeral store for short-lived kinds', () => {
    let backend: InProcessBackend;
    let store: InProcessStore;
    let Mixed: OidcAdapterClass;
    const rows = async () =>
      Number(((await dataSource.query('SELECT count(*)::int AS n FROM oidc_models')) as { n: number }[])[0]?.n);

    beforeEach(() => {
      backend = new InProcessBackend(() => clock.getTime(), 60_000);
      store = new InProcessStore(backend);
      Mixed = createOidcAdapter(dataSource, { now: () => clock, ephemeral: { store, kinds: EPHEMERAL_OIDC_KINDS } });
    });
    afterEach(() => backend.dispose());

    it('keeps an Interaction on the store for its lifetime, never in oidc_models', async () => {
      const interactions = new Mixed('Interaction');
      const payload = { uid: 'i-1', params: { client_id: 'shop' }, exp: 1_700_000_600 };
      await interactions.upsert('i-1', payload, 600);
      expect(await interactions.find('i-1')).toEqual(payload);
      expect(await store.get('oidc:Interaction:i-1')).toBe(JSON.stringify(payload));
      expect(await rows()).toBe(0);
      clock = seconds(599);
      expect(await interactions.find('i-1')).toEqual(payload);
      clock = seconds(600);
      expect(await interactions.find('i-1')).toBeUndefined();
    });

    it('replaces, destroys, and treats a save with no time left as gone', async () => {
      const interactions = new Mixed('Interaction');
      await interactions.upsert('i-2', { v: 1 }, 600);
      await interactions.upsert('i-2', { v: 2 }, 600);
      expect(await interactions.find('i-2')).toEqual({ v: 2 });
      await interactions.upsert('i-2', { v: 3 }, 0);
      expect(await interactions.find('i-2')).toBeUndefined();
      await interactions.upsert('i-3', { v: 1 }, 600);
      await interactions.destroy('i-3');
      expect(await interactions.find('i-3')).toBeUndefined();
      await expect(interactions.upsert('i-4', { v: 1 })).rejects.toThrow('needs a lifetime');
      await expect(interactions.consume('i-4')).rejects.toThrow('never consumed');
      expect(await interactions.findByUid('i-4')).toBeUndefined();
    });

    it('keeps every other kind in PostgreSQL, revocation by grant included', async () => {
      const codes = new Mixed('AuthorizationCode');
      await codes.upsert('c-9', { grantId: 'g-9' }, 60);
      await new Mixed('Interaction').upsert('i-9', { grantId: 'g-9' }, 600);
      expect(await rows()).toBe(1);
      await new Mixed('AccessToken').revokeByGrantId('g-9');
      expect(await codes.find('c-9')).toBeUndefined();
      // oidc-provider revokes by grant only token and code kinds; an open interaction ends by its own expiry.
      await new Mixed('Interaction').revokeByGrantId('g-9');
      expect(await new Mixed('Interaction').find('i-9')).toEqual({ grantId: 'g-9' });
    });
  });
});
