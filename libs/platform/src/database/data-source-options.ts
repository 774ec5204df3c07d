import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { pgliteDriver } from './pglite-pool.js';
import { templateFor } from './pglite-template.js';

export interface PersistenceParts {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/**
 * One builder for the app and the TypeORM CLI: PostgreSQL when DATABASE_URL is set, otherwise embedded
 * PGlite in DATA_DIR/pglite. Same dialect, same migrations; the schema is never synchronised.
 */
export function dataSourceOptions(
  config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>,
  parts: PersistenceParts,
): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: parts.entities,
    migrations: parts.migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    // Migrations own the schema; gen_random_uuid() is built into PostgreSQL ≥ 13 and PGlite.
    installExtensions: false,
  };
  if (config.databaseUrl) {
    return {
      ...common,
      url: config.databaseUrl,
      applicationName: 'idtoken',
      poolSize: 10,
      // Fail a query rather than hang when the database is gone; readiness turns 503.
      connectTimeoutMS: 5_000,
      extra: { query_timeout: 10_000 },
    };
  }
  const dataDir = join(config.dataDir, 'pglite');
  mkdirSync(dataDir, { recursive: true });
  // A new folder starts from the template `npm run build` made, when there is one (pglite-template.ts).
  const loadDataDir = templateFor(dataDir);
  return { ...common, driver: pgliteDriver({ dataDir, ...(loadDataDir ? { loadDataDir } : {}) }) };
}
