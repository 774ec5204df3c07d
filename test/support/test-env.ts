import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, installedPgliteVersion, loadConfig, type AppConfig } from '#idtoken/platform';
import { persistence } from '../../apps/idp/src/persistence.js';

/** The PostgreSQL and Redis this run was given (CI sets both); absent → embedded PGlite and in-process store. */
export const servicesUnderTest = {
  databaseUrl: process.env.DATABASE_URL || undefined,
  redisUrl: process.env.REDIS_URL || undefined,
};

export interface TestEnvironment {
  config: AppConfig;
  /** Drops what the environment created: its database or its data folder. */
  dispose(): Promise<void>;
}

/**
 * A configuration of its own for one test file: a fresh PostgreSQL database (when DATABASE_URL is set) or a
 * fresh PGlite folder, a Redis key prefix nobody else uses, and a random master secret.
 */
export async function createTestEnvironment(
  overrides: Record<string, string | undefined> = {},
  options: { emptyDatabase?: boolean } = {},
): Promise<TestEnvironment> {
  const dataDir = mkdtempSync(join(tmpdir(), 'idtoken-test-'));
  const serverUrl = 'DATABASE_URL' in overrides ? undefined : servicesUnderTest.databaseUrl;
  const database = serverUrl
    ? await createDatabase(serverUrl, options.emptyDatabase ? undefined : await migratedTemplateDatabase(serverUrl))
    : undefined;
  const embedded = !('DATABASE_URL' in overrides ? overrides.DATABASE_URL : database);
  if (embedded && !options.emptyDatabase && !overrides.DATA_DIR) await copyMigratedPglite(dataDir);
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DATABASE_URL: database?.url,
    REDIS_URL: servicesUnderTest.redisUrl,
    REDIS_PREFIX: `idtoken-test:${randomUUID()}:`,
    IDTOKEN_MASTER_SECRET: randomUUID().replaceAll('-', '') + randomUUID().replaceAll('-', ''),
    ...overrides,
  });
  return {
    config,
    async dispose() {
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Puts a migrated embedded database into DATA_DIR `dataDir`, as a server's first start would leave it. */
export async function copyMigratedPglite(dataDir: string): Promise<void> {
  cpSync(await migratedPgliteFolder(), join(dataDir, 'pglite'), { recursive: true });
}

/** Names what a migrated template holds: the migrations (their code, as this run compiled it) and the engine. */
function migrationsKey(engine: string): string {
  const migrations = persistence.migrations as { name: string }[];
  return createHash('sha256')
    .update(engine)
    .update(migrations.map((migration) => `${migration.name}\n${String(migration)}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
}

/**
 * A PGlite data folder with every migration applied, made once per PGlite version and set of migrations and copied
 * into each test's DATA_DIR: PostgreSQL's initdb in WebAssembly and the migrations cost seconds of CPU per server,
 * a copy a few milliseconds. (The servers' own start from an empty folder is tested by the boot and persistence
 * suites, which ask for an empty database.)
 */
async function migratedPgliteFolder(): Promise<string> {
  const folder = join(tmpdir(), `idtoken-test-pglite-${migrationsKey(installedPgliteVersion())}`);
  if (existsSync(join(folder, 'PG_VERSION'))) return folder;
  const building = mkdtempSync(join(tmpdir(), 'idtoken-test-pglite-build-'));
  try {
    const dataSource = await new DataSource(
      dataSourceOptions({ dataDir: building, databaseUrl: undefined }, persistence),
    ).initialize();
    await dataSource.runMigrations();
    await dataSource.destroy();
    // Another test worker may have finished first: its folder is as good as this one.
    if (!existsSync(folder)) renameSync(join(building, 'pglite'), folder);
  } catch (error) {
    if (!existsSync(join(folder, 'PG_VERSION'))) throw error;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return folder;
}

/**
 * The same on PostgreSQL: a database with every migration applied, which CREATE DATABASE … TEMPLATE copies at the
 * cost of a file copy. Made once per set of migrations and kept on the server for later runs.
 */
async function migratedTemplateDatabase(serverUrl: string): Promise<string> {
  const name = `idtoken_test_template_${migrationsKey('postgresql')}`;
  const exists = async () =>
    (await query(serverUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
  if (await exists()) return name;
  const building = await createDatabase(serverUrl);
  try {
    const dataSource = await new DataSource(
      dataSourceOptions({ dataDir: tmpdir(), databaseUrl: building.url }, persistence),
    ).initialize();
    await dataSource.runMigrations();
    await dataSource.destroy();
    await admin(serverUrl, `ALTER DATABASE "${building.name}" RENAME TO "${name}"`);
  } catch (error) {
    // Another test worker may have finished first: its database is as good as this one.
    await building.drop();
    if (!(await exists())) throw error;
  }
  return name;
}

/**
 * Creates a database next to the one in `serverUrl`, empty or a copy of `template`; `drop` removes it, closing
 * leftover sessions.
 */
export async function createDatabase(
  serverUrl: string,
  template?: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `idtoken_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await admin(serverUrl, `CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export async function admin(serverUrl: string, sql: string): Promise<void> {
  await query(serverUrl, sql);
}

async function query(serverUrl: string, sql: string, parameters: unknown[] = []): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query(sql, parameters)).rows;
  } finally {
    await client.end();
  }
}
