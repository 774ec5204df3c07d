import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, type AppConfig } from '#idtoken/platform';

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
): Promise<TestEnvironment> {
  const dataDir = mkdtempSync(join(tmpdir(), 'idtoken-test-'));
  const database = servicesUnderTest.databaseUrl ? await createDatabase(servicesUnderTest.databaseUrl) : undefined;
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

/** Creates an empty database next to the one in `serverUrl`; `drop` removes it, closing leftover sessions. */
export async function createDatabase(serverUrl: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `idtoken_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await admin(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
