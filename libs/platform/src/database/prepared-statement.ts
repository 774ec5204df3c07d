import { createHash } from 'node:crypto';
import pg from 'pg';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';

/**
 * A statement on every login's path, run on PostgreSQL as a **named prepared statement**: each pooled connection
 * parses and plans it once, and the driver stops re-reading its row description on every call. Measured on the
 * benchmark machine: 112 µs of the caller's CPU per query unnamed, 48 µs named (docs/performance.md).
 *
 * On PGlite (one embedded session, no parse round trip to save) and inside a caller's transaction (its own
 * connection) it runs as the same parameterised query through TypeORM. Either way a failure is TypeORM's
 * `QueryFailedError`, so callers see one error type.
 *
 * The statement's text is fixed: its name is derived from it, so two statements never share a name.
 */
export class PreparedStatement<Row> {
  readonly name: string;

  constructor(readonly text: string) {
    this.name = `idtoken_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
  }

  async run(dataSource: DataSource, values: readonly unknown[], manager?: EntityManager): Promise<Row[]> {
    const parameters = [...values];
    const pool = manager?.queryRunner ? undefined : postgresPool(dataSource);
    if (!pool) return (await (manager ?? dataSource.manager).query(this.text, parameters)) as Row[];
    try {
      const result = await pool.query({ name: this.name, text: this.text, values: parameters });
      return result.rows as Row[];
    } catch (error) {
      throw new QueryFailedError(this.text, parameters, error as Error);
    }
  }
}

/** The pg pool behind a PostgreSQL DataSource; undefined on PGlite, whose pool is not pg's. */
export function postgresPool(dataSource: DataSource): pg.Pool | undefined {
  const master = (dataSource.driver as { master?: unknown }).master;
  return master instanceof pg.Pool ? master : undefined;
}
