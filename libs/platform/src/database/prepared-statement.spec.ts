import { DataSource, QueryFailedError } from 'typeorm';
import { migrations } from '#migrations';
import { createTestEnvironment, type TestEnvironment } from '../../../../test/support/test-env.js';
import { dataSourceOptions } from './data-source-options.js';
import { PreparedStatement, postgresPool } from './prepared-statement.js';
import { isUniqueViolation } from './unique-violation.js';

const INSERT = new PreparedStatement<{ id: number }>('INSERT INTO scratch (label) VALUES ($1) RETURNING id');
const BY_LABEL = new PreparedStatement<{ id: number; label: string; at: Date }>(
  'SELECT id, label, at FROM scratch WHERE label = $1 ORDER BY id',
);

// A database of its own: PostgreSQL when DATABASE_URL is set (named statements), otherwise PGlite (plain queries).
describe('PreparedStatement', () => {
  let env: TestEnvironment;
  let dataSource: DataSource;

  beforeAll(async () => {
    env = await createTestEnvironment();
    const options = dataSourceOptions(env.config, { entities: [], migrations });
    // One pooled connection, so a statement prepared by one call is visible to the next query.
    dataSource = await new DataSource({ ...options, poolSize: 1 } as typeof options).initialize();
    await dataSource.query(
      'CREATE TABLE scratch (id serial PRIMARY KEY, label text UNIQUE NOT NULL, at timestamptz NOT NULL DEFAULT now())',
    );
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await env?.dispose();
  });

  it('answers what the same query through TypeORM answers, row types included', async () => {
    await INSERT.run(dataSource, ['alpha']);
    const viaStatement = await BY_LABEL.run(dataSource, ['alpha']);
    const viaOrm = (await dataSource.query(BY_LABEL.text, ['alpha'])) as unknown[];
    expect(viaStatement).toEqual(viaOrm);
    expect(viaStatement).toHaveLength(1);
    expect(viaStatement[0]?.at).toBeInstanceOf(Date);
    expect(await BY_LABEL.run(dataSource, ['nobody'])).toEqual([]);
  });

  it('is prepared once per connection on PostgreSQL under a name derived from its text', async () => {
    const pool = postgresPool(dataSource);
    if (!env.config.databaseUrl) {
      // PGlite: no pg pool, so the statement runs as a plain parameterised query.
      expect(pool).toBeUndefined();
      return;
    }
    expect(pool).toBeDefined();
    await BY_LABEL.run(dataSource, ['alpha']);
    await BY_LABEL.run(dataSource, ['alpha']);
    const { rows } = await pool!.query<{ name: string; statement: string }>(
      'SELECT name, statement FROM pg_prepared_statements',
    );
    expect(rows).toContainEqual({ name: BY_LABEL.name, statement: BY_LABEL.text });
    expect(rows.filter((row) => row.name === BY_LABEL.name)).toHaveLength(1);
    expect(BY_LABEL.name).not.toBe(INSERT.name);
    expect(new PreparedStatement(BY_LABEL.text).name).toBe(BY_LABEL.name);
  });

  it('fails with TypeORM’s QueryFailedError, so callers see one error type', async () => {
    await INSERT.run(dataSource, ['unique']);
    const failure = await INSERT.run(dataSource, ['unique']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(isUniqueViolation(failure)).toBe(true);
    // The connection is still usable after the failure.
    expect(await BY_LABEL.run(dataSource, ['unique'])).toHaveLength(1);
  });

  it('joins the caller’s transaction: a rollback takes its write with it', async () => {
    await dataSource
      .transaction(async (manager) => {
        await INSERT.run(dataSource, ['rolled-back'], manager);
        expect(await BY_LABEL.run(dataSource, ['rolled-back'], manager)).toHaveLength(1);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await BY_LABEL.run(dataSource, ['rolled-back'])).toEqual([]);
  });
});
