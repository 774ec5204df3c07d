export interface ReloadingSnapshotOptions {
  /**
   * Safety net when a change message is lost (store down, reconnect): a value older than this is loaded again
   * before it is used. Change messages normally make every node reload within milliseconds.
   */
  maxStalenessMs?: number;
  now?: () => number;
}

export const DEFAULT_SNAPSHOT_STALENESS_MS = 30_000;

interface Loaded<T> {
  value: T;
  loadedAt: number;
  /** Loads are numbered when they start; a higher number read the database later. */
  sequence: number;
}

/**
 * A value read from the database and kept in memory, for data read on every request and changed rarely (the
 * active services). `invalidate` — called after a change commits here, and when another node announces one — makes
 * the next read load it again; it is never older than `maxStalenessMs` either. A load that started before the last
 * invalidation is never served as current, and a slow, older load never replaces a newer one. Concurrent readers
 * share one load.
 */
export class ReloadingSnapshot<T> {
  private loaded: Loaded<T> | undefined;
  private sequence = 0;
  /** Loads numbered at or below this started before a known change: their result is out of date. */
  private invalidatedAt = 0;
  private pending: { sequence: number; promise: Promise<T> } | undefined;
  private readonly now: () => number;
  private readonly maxStalenessMs: number;

  constructor(
    private readonly load: () => Promise<T>,
    options: ReloadingSnapshotOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxStalenessMs = options.maxStalenessMs ?? DEFAULT_SNAPSHOT_STALENESS_MS;
  }

  /** The current value, loaded first when out of date. Rejects when the load fails (nothing is cached then). */
  current(): Promise<T> {
    const loaded = this.loaded;
    if (loaded && loaded.sequence > this.invalidatedAt && this.now() - loaded.loadedAt < this.maxStalenessMs) {
      return Promise.resolve(loaded.value);
    }
    if (!this.pending || this.pending.sequence <= this.invalidatedAt) {
      const promise = this.reload();
      const pending = { sequence: this.sequence, promise };
      this.pending = pending;
      promise
        .finally(() => {
          if (this.pending === pending) this.pending = undefined;
        })
        .catch(() => undefined);
    }
    return this.pending.promise;
  }

  /** Marks the value out of date without loading; the next read loads it. */
  invalidate(): void {
    this.invalidatedAt = ++this.sequence;
  }

  /**
   * Loads now, whatever the state; what it loads becomes current unless a load that started later was applied first.
   * Resolves with this load's value.
   */
  async reload(): Promise<T> {
    const sequence = ++this.sequence;
    const loadedAt = this.now();
    const value = await this.load();
    if (!this.loaded || sequence > this.loaded.sequence) this.loaded = { value, loadedAt, sequence };
    return value;
  }
}
