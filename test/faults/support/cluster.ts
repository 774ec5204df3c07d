import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { populate, type Population } from '../../../bench/support/population.js';
import { freePort } from './free-port.js';
import { ensureBuilt } from './idp-build.js';
import { IdpNode } from './idp-node.js';
import { PrivatePostgres } from './private-postgres.js';
import { PrivateRedis } from './private-redis.js';

/** Two server nodes on a PostgreSQL and a Redis of their own, and enrolled phones trusting one service. */
export interface FaultCluster {
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  nodes: [IdpNode, IdpNode];
  population: Population;
  /** The database the nodes share (for counting audit rows). */
  database: string;
  dispose(): Promise<void>;
}

const ADMIN_KEY = `fault-admin-${randomBytes(16).toString('hex')}`;
// Loopback clients only: the rate limits would refuse the test's own traffic, which is not what it is about.
const GENEROUS_LIMIT = '1000000';

/**
 * Builds the server if needed, starts a private PostgreSQL and Redis, two nodes of `dist/apps/idp/src/main.js`
 * sharing them (same issuer, master secret and data folder, as the nodes of a deployment), and `phones` enrolled
 * phones. Whatever started is stopped again if a later step fails.
 */
export async function startFaultCluster(phones: number): Promise<FaultCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'idtoken-fault-'));
  const started: { postgres?: PrivatePostgres; redis?: PrivateRedis; nodes: IdpNode[]; population?: Population } = {
    nodes: [],
  };
  const dispose = async () => {
    started.population?.dispose();
    await Promise.all(started.nodes.map((node) => node.kill()));
    await started.redis?.stop();
    await started.postgres?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    // The services start while the build runs (settled one by one, so a failure still stops what did start).
    const [built, postgresStart, redisStart] = await Promise.allSettled([
      ensureBuilt(),
      PrivatePostgres.start(),
      PrivateRedis.start(),
    ]);
    if (postgresStart.status === 'fulfilled') started.postgres = postgresStart.value;
    if (redisStart.status === 'fulfilled') started.redis = redisStart.value;
    if (built.status === 'rejected') throw built.reason;
    if (postgresStart.status === 'rejected') throw postgresStart.reason;
    if (redisStart.status === 'rejected') throw redisStart.reason;
    const [postgres, redis] = [postgresStart.value, redisStart.value];
    const database = 'idtoken';
    const ports = [await freePort(), await freePort()];
    const settings: Record<string, string> = {
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DATABASE_URL: await postgres.createDatabase(database),
      REDIS_URL: redis.url,
      ISSUER_URL: `http://127.0.0.1:${ports[0]}`,
      IDTOKEN_MASTER_SECRET: randomBytes(32).toString('hex'),
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      INITIATE_RATE_LIMIT_PER_MINUTE: GENEROUS_LIMIT,
      INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: GENEROUS_LIMIT,
      ENROLL_RATE_LIMIT_PER_HOUR: GENEROUS_LIMIT,
    };
    const nodes: [IdpNode, IdpNode] = [
      new IdpNode('node A', ports[0]!, settings),
      new IdpNode('node B', ports[1]!, settings),
    ];
    // One after the other: the first runs the migrations.
    for (const node of nodes) {
      started.nodes.push(node);
      await node.start();
    }
    started.population = await populate(nodes[0].baseUrl, ADMIN_KEY, phones);
    return { postgres, redis, nodes, population: started.population, database, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** `session.approved` audit rows per session id, read straight from PostgreSQL. */
export async function approvalsPerSession(cluster: FaultCluster): Promise<Map<string, number>> {
  const rows = await cluster.postgres.query<{ session_id: string; approvals: string }>(
    `SELECT data->>'sessionId' AS session_id, count(*) AS approvals FROM audit_events
      WHERE type = 'session.approved' GROUP BY 1`,
    [],
    cluster.database,
  );
  return new Map(rows.map((row) => [row.session_id, Number(row.approvals)]));
}
