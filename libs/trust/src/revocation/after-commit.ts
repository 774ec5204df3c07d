import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

/**
 * Runs work once a caller's transaction has committed ("transactions, then events"), through TypeORM's
 * transaction subscriber. The work runs while the connection is still held: it must not query the database
 * (that deadlocks on PGlite) — invalidate a cache, publish a message.
 */
export class AfterCommit implements EntitySubscriberInterface {
  private readonly pending = new WeakMap<QueryRunner, (() => void)[]>();

  private constructor(private readonly dataSource: DataSource) {}

  static attach(dataSource: DataSource): AfterCommit {
    const hook = new AfterCommit(dataSource);
    dataSource.subscribers.push(hook);
    return hook;
  }

  detach(): void {
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  /** Runs `work` when the transaction `manager` belongs to commits; at once when it is in none. */
  run(manager: EntityManager, work: () => void): void {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) return work();
    this.pending.set(runner, [...(this.pending.get(runner) ?? []), work]);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A savepoint released inside the caller's transaction is not the commit yet.
    if (event.queryRunner.isTransactionActive) return;
    const work = this.pending.get(event.queryRunner) ?? [];
    this.pending.delete(event.queryRunner);
    for (const each of work) each();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.pending.delete(event.queryRunner);
  }
}
