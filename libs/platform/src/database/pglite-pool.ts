import type { PGliteOptions } from '@electric-sql/pglite';
import { PGliteDriver } from 'typeorm-pglite';
import { PGlitePool } from 'typeorm-pglite/dist/pglite-pool.js';

/**
 * PGlite is one session. typeorm-pglite hands that session to every query runner at once, so two
 * concurrent transactions would interleave their statements. This pool lends the session to one query
 * runner at a time, as a pg pool of size 1 would: transactions stay isolated on the embedded database.
 * (Consequence: code must not wait on a second connection while it holds one — that deadlocks here.)
 */
class ExclusivePGlitePool extends PGlitePool {
  private tail: Promise<void> = Promise.resolve();

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- typeorm-pglite types its callback loosely
  override async connect(callback: any): Promise<void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => released);
    await previous;
    let done = false;
    await super.connect((error, client) => {
      if (error) release();
      callback(error, client, () => {
        if (!done) {
          done = true;
          release();
        }
      });
    });
  }

  /**
   * typeorm-pglite hands a failed query's error to the callback and also rethrows it from a promise no one
   * awaits — an unhandled rejection that would end the process. With a callback, the callback owns the error.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's overloaded query signature
  override query(sql: string, params?: any, callback?: any): Promise<any> {
    const result = super.query(sql, params, callback);
    if (typeof callback === 'function' || typeof params === 'function') result.catch(() => undefined);
    return result;
  }
}

/** The `driver` option TypeORM's postgres dialect takes, backed by embedded PGlite in `dataDir`. */
export function pgliteDriver(options: PGliteOptions & { dataDir: string }): unknown {
  // PGliteDriver records the options for the (process-wide) PGlite instance typeorm-pglite manages.
  // (Cast: typeorm-pglite's CommonJS typings see PGlite's ESM types as a different module.)
  new PGliteDriver(options as never);
  return { Pool: ExclusivePGlitePool };
}
