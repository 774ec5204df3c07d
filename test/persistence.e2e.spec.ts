import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
import { KeyMaterialStore } from '#idtoken/keys';
import { SecretBox, dataSourceOptions } from '#idtoken/platform';
import { persistence } from '../apps/idp/src/persistence.js';
import { createTestEnvironment, servicesUnderTest, type TestEnvironment } from './support/test-env.js';

const TABLES = [
  'account_links',
  'api_keys',
  'audit_events',
  'csca_certificates',
  'enrollments',
  'key_material',
  'oidc_models',
  'service_trust_bindings',
  'service_vds',
  'services',
  'stations',
  'trust_revoked_certificates',
  'trust_revoked_fingerprints',
];

async function userTables(dataSource: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

// The same suite runs on embedded PGlite and, when DATABASE_URL is given (CI), on a real PostgreSQL.
const engines: [string, Record<string, string | undefined>][] = [['PGlite', { DATABASE_URL: undefined }]];
if (servicesUnderTest.databaseUrl) engines.push(['PostgreSQL', {}]);

describe.each(engines)('persistence on %s', (_engine, overrides) => {
  let env: TestEnvironment;
  let dataSource: DataSource;

  beforeAll(async () => {
    env = await createTestEnvironment(overrides, { emptyDatabase: true });
    dataSource = await new DataSource(dataSourceOptions(env.config, persistence)).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await env?.dispose();
  });

  it('migrates up, down to nothing, and up again', async () => {
    expect(await dataSource.runMigrations()).toHaveLength(persistence.migrations.length as number);
    expect(await userTables(dataSource)).toEqual(TABLES);
    expect(await dataSource.showMigrations()).toBe(false);

    for (let i = 0; i < (persistence.migrations as unknown[]).length; i++) await dataSource.undoLastMigration();
    expect(await userTables(dataSource)).toEqual([]);
    const functions: unknown[] = await dataSource.query(
      `SELECT 1 FROM pg_proc WHERE proname = 'audit_events_refuse_change'`,
    );
    expect(functions).toHaveLength(0);

    await dataSource.runMigrations();
    expect(await userTables(dataSource)).toEqual(TABLES);
  });

  it('leaves no drift between the entities and the migrated schema (migration:generate would find nothing)', async () => {
    await dataSource.runMigrations();
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('keeps the audit trail append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    const audit = new AuditTrail(dataSource);
    const id = await audit.record({
      type: 'test.event',
      actor: 'admin:1',
      subject: 'tok-1',
      requestId: 'r1',
      ip: '127.0.0.1',
      data: { n: 1 },
    });
    await audit.record({ type: 'test.other', subject: 'tok-2' });

    await expect(dataSource.query(`UPDATE audit_events SET type = 'forged' WHERE id = $1`, [id])).rejects.toThrow(
      /append-only/,
    );
    await expect(dataSource.query(`DELETE FROM audit_events WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);

    const events = await audit.list({ subject: 'tok-1' });
    expect(events).toEqual([
      expect.objectContaining({
        id,
        type: 'test.event',
        actor: 'admin:1',
        subject: 'tok-1',
        requestId: 'r1',
        ip: '127.0.0.1',
        data: { n: 1 },
      }),
    ]);
    const page = await audit.list({ limit: 1 });
    expect(page[0]!.type).toBe('test.other');
    expect(await audit.list({ before: page[0]!.id, limit: 1 })).toEqual([expect.objectContaining({ id })]);
  });

  it('stores key material sealed at rest and gives back a working key', async () => {
    const store = new KeyMaterialStore(dataSource, new SecretBox(env.config.masterSecret));
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await store.save({ purpose: 'token-signing', kid: 'k-1', algorithm: 'ES256', privateKey });

    const [loaded] = await store.list('token-signing');
    expect(loaded).toMatchObject({
      kid: 'k-1',
      algorithm: 'ES256',
      retiredAt: null,
      withdrawnAt: null,
      publicJwk: { kty: 'EC', crv: 'P-256' },
    });
    expect(loaded!.publicJwk).not.toHaveProperty('d');
    const signature = sign('sha256', Buffer.from('hello'), loaded!.privateKey);
    expect(verify('sha256', Buffer.from('hello'), privateKey, signature)).toBe(true);

    const [row] = await dataSource.query(`SELECT sealed_private_key FROM key_material WHERE kid = 'k-1'`);
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(Buffer.from(row.sealed_private_key).includes(der.subarray(-32))).toBe(false);
  });

  it('refuses to open a sealed key moved onto another row', async () => {
    const store = new KeyMaterialStore(dataSource, new SecretBox(env.config.masterSecret));
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await store.save({ purpose: 'swap-test', kid: 'k-a', algorithm: 'ES256', privateKey });
    await store.save({
      purpose: 'swap-test',
      kid: 'k-b',
      algorithm: 'ES256',
      privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    });
    await dataSource.query(
      `UPDATE key_material SET sealed_private_key = (SELECT sealed_private_key FROM key_material WHERE kid = 'k-a') WHERE kid = 'k-b'`,
    );
    await expect(store.list('swap-test')).rejects.toThrow();
  });

  it('isolates concurrent transactions', async () => {
    const audit = new AuditTrail(dataSource);
    const rolledBack = dataSource.transaction(async (manager) => {
      await audit.record({ type: 'tx.rolled-back' }, manager);
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('roll back');
    });
    const committed = dataSource.transaction(async (manager) => {
      await audit.record({ type: 'tx.committed' }, manager);
    });
    await expect(rolledBack).rejects.toThrow('roll back');
    await committed;
    expect(await audit.list({ type: 'tx.rolled-back' })).toEqual([]);
    expect(await audit.list({ type: 'tx.committed' })).toHaveLength(1);
  });
});
