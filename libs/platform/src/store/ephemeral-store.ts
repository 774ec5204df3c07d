/** Removes a subscription made with {@link EphemeralStore.subscribe}. */
export type Unsubscribe = () => Promise<void>;

/**
 * The port for short-lived state shared by every server node: OTP sessions, attempt and rate counters,
 * replay caches, and fan-out of events between nodes. Two adapters: Redis (REDIS_URL) and in-process.
 * Values are strings; callers serialise. Every TTL is in milliseconds and must be positive.
 *
 * One node's calls take effect in the order they were made, even when the caller does not wait for one before
 * making the next: a write and then a publish issued together (one round trip on Redis) are seen in that order by
 * every node — whoever hears the message finds the write.
 */
export abstract class EphemeralStore {
  /** Stores `value` under `key` for `ttlMs`, replacing what was there. */
  abstract put(key: string, value: string, ttlMs: number): Promise<void>;

  /** Stores only if `key` holds nothing; true when this call stored it (replay caches, locks). */
  abstract putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;

  abstract get(key: string): Promise<string | undefined>;

  /**
   * Atomically reads and deletes `key`: of any number of concurrent callers, on any node, exactly one
   * receives the value. This is what makes a session single-use.
   */
  abstract take(key: string): Promise<string | undefined>;

  /** Deletes `key`; true when something was there. */
  abstract delete(key: string): Promise<boolean>;

  /**
   * Atomically adds one to the counter at `key` and returns the new count. The first increment starts a
   * fixed window of `windowMs`; the counter disappears when the window ends (later increments do not extend it).
   */
  abstract increment(key: string, windowMs: number): Promise<number>;

  /**
   * Appends `value` to the list at `key`, keeps only its last `maxLength` items, and (re)sets the list's TTL to
   * `ttlMs`; one atomic step. Returns the list's length afterwards. Lists share nothing with plain keys.
   */
  abstract append(key: string, value: string, ttlMs: number, maxLength: number): Promise<number>;

  /** The items of the list at `key`, oldest first; empty when there is none. */
  abstract readList(key: string): Promise<string[]>;

  /** Milliseconds until `key` expires; undefined when it does not exist. */
  abstract remainingTtl(key: string): Promise<number | undefined>;

  /**
   * How many plain keys starting with `prefix` are live now (lists are not counted). For operators' views, not hot
   * paths: on Redis it walks the keyspace with SCAN (no blocking KEYS), so it costs time in proportion to its size.
   */
  abstract countKeys(prefix: string): Promise<number>;

  /** Delivers `message` to every subscriber of `channel` on every node, this one included. */
  abstract publish(channel: string, message: string): Promise<void>;

  /** Resolves once the subscription is active, so a publish made afterwards is received. */
  abstract subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe>;

  /** Resolves when the store answers; rejects otherwise (readiness probe). */
  abstract ping(): Promise<void>;

  abstract close(): Promise<void>;
}

export function assertTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`TTL must be a positive integer of milliseconds, got ${ttlMs}`);
}

export function assertLength(maxLength: number): void {
  if (!Number.isInteger(maxLength) || maxLength <= 0)
    throw new RangeError(`A list's maximum length must be a positive integer, got ${maxLength}`);
}
