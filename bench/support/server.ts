import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '#idtoken/platform';
import { createIdpApp } from '../../apps/idp/src/create-app.js';

/** The admin API key the benchmark's servers accept (spec §9 bootstrap key). */
export const BENCH_ADMIN_KEY = `bench-admin-${randomBytes(16).toString('hex')}`;

/** What the server under test stores its data in, for the report. */
export interface Backends {
  database: string;
  store: string;
}

/** Where to keep data: a PostgreSQL server and a Redis, or neither (embedded PGlite, in-process store). */
export interface BackendUrls {
  databaseUrl?: string;
  redisUrl?: string;
}

/**
 * The data one run works on — a fresh PostgreSQL database or PGlite folder, a Redis key prefix of its own — and the
 * server settings (environment variables, as `main.ts` reads them) every node of the run shares.
 */
export interface BenchBackends {
  backends: Backends;
  settings: Record<string, string>;
  /** Whether separate server processes can share the data (PostgreSQL and Redis), so more than one node can run. */
  shared: boolean;
  /** PostgreSQL connection string of the run's database, to count rows from outside the servers. */
  databaseUrl?: string;
  /** Drops what the run created: its database, its Redis keys, its data folder. */
  dispose(): Promise<void>;
}

export interface BenchServer {
  app: NestFastifyApplication;
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  backends: Backends;
  /** Closes the app, then drops what the run created: its database, its Redis keys, its data folder. */
  close(): Promise<void>;
}

// Loopback clients only, so rate limits would measure the limiter, not the login.
const GENEROUS_LIMIT = '1000000';

/** Creates the run's database (or data folder) and Redis prefix, and the settings every server of the run uses. */
export async function prepareBackends(urls: BackendUrls): Promise<BenchBackends> {
  const dataDir = mkdtempSync(join(tmpdir(), 'idtoken-bench-'));
  const redisPrefix = `idtoken-bench:${randomUUID()}:`;
  const database = urls.databaseUrl ? await createDatabase(urls.databaseUrl) : undefined;
  const dispose = async () => {
    if (urls.redisUrl) await deleteKeys(urls.redisUrl, redisPrefix);
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const settings: Record<string, string> = {
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...(urls.redisUrl ? { REDIS_URL: urls.redisUrl, REDIS_PREFIX: redisPrefix } : {}),
      IDTOKEN_MASTER_SECRET: randomBytes(32).toString('hex'),
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BENCH_ADMIN_KEY,
      TRUST_PROXY: 'true',
      INITIATE_RATE_LIMIT_PER_MINUTE: GENEROUS_LIMIT,
      INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: GENEROUS_LIMIT,
      ENROLL_RATE_LIMIT_PER_HOUR: GENEROUS_LIMIT,
    };
    return {
      backends: {
        database: database ? `PostgreSQL ${database.version} (${database.where})` : 'PGlite (embedded)',
        store: urls.redisUrl ? `Redis ${await redisVersion(urls.redisUrl)} (${hostOf(urls.redisUrl)})` : 'in-process',
      },
      settings,
      shared: Boolean(database && urls.redisUrl),
      databaseUrl: database?.url,
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * The run's settings with a Redis key prefix of their own under the run's (deleted with it): a server started with
 * them shares the database with the others but none of their sessions, counters or events.
 */
export function withOwnStorePrefix(settings: Record<string, string>, name: string): Record<string, string> {
  return settings.REDIS_PREFIX ? { ...settings, REDIS_PREFIX: `${settings.REDIS_PREFIX}${name}:` } : settings;
}

/** The real IdP running in the benchmark's own process. */
export interface InProcessServer {
  app: NestFastifyApplication;
  baseUrl: string;
  close(): Promise<void>;
}

/** Boots the real IdP in this process on a free loopback port, as the end-to-end tests do; `close` leaves the data. */
export async function startInProcessServer(settings: Record<string, string>): Promise<InProcessServer> {
  const app = await createIdpApp(loadConfig(settings), pino({ level: 'silent' }));
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('the server has no TCP address');
  return { app, baseUrl: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/**
 * The in-process server on fresh data (`prepareBackends` + `startInProcessServer`): `close` closes it and then drops
 * the data. What the smoke test and the OIDC benchmark use.
 */
export async function startBenchServer(urls: BackendUrls): Promise<BenchServer> {
  const prepared = await prepareBackends(urls);
  try {
    const server = await startInProcessServer(prepared.settings);
    return {
      ...server,
      backends: prepared.backends,
      async close() {
        try {
          await server.close();
        } finally {
          await prepared.dispose();
        }
      },
    };
  } catch (error) {
    await prepared.dispose();
    throw error;
  }
}

/** An empty database next to the one in `serverUrl`; `drop` removes it, closing leftover connections. */
async function createDatabase(serverUrl: string) {
  const name = `idtoken_bench_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const version = await adminQuery(serverUrl, 'SHOW server_version');
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    version: String(version[0]?.server_version ?? '?').split(' ')[0],
    where: `${hostOf(serverUrl)}/${name}`,
    drop: async () => {
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function withRedis<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

function redisVersion(url: string): Promise<string> {
  return withRedis(url, async (redis) => /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?');
}

/** Sessions and counters expire on their own; deleting them leaves a shared Redis as it was found. */
function deleteKeys(url: string, prefix: string): Promise<void> {
  return withRedis(url, async (redis) => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  });
}

/** host:port only: a URL's credentials never reach the report. */
function hostOf(url: string): string {
  return new URL(url).host;
}
