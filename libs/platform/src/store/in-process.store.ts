import { EventEmitter } from 'node:events';
import { EphemeralStore, assertLength, assertTtl, type Unsubscribe } from './ephemeral-store.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The memory behind in-process stores. Stores built on one backend see the same keys and messages,
 * like two connections to one Redis; a server process without REDIS_URL has exactly one.
 */
export class InProcessBackend {
  readonly entries = new Map<string, Entry>();
  readonly lists = new Map<string, { items: string[]; expiresAt: number }>();
  readonly bus = new EventEmitter().setMaxListeners(0);
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly now: () => number = Date.now,
    sweepIntervalMs = 1_000,
  ) {
    // Expired entries are dropped on access; the sweep bounds memory for keys nobody reads again.
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs).unref();
  }

  live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    for (const [key, list] of this.lists) if (list.expiresAt <= now) this.lists.delete(key);
  }

  dispose(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
    this.lists.clear();
    this.bus.removeAllListeners();
  }
}

/**
 * In-process adapter: single-threaded JavaScript makes every operation atomic. Messages are delivered
 * asynchronously, as Redis would.
 */
export class InProcessStore extends EphemeralStore {
  private readonly subscriptions = new Set<{
    channel: string;
    listener: (message: string) => void;
  }>();
  private closed = false;

  constructor(
    private readonly backend: InProcessBackend = new InProcessBackend(),
    private readonly ownsBackend = true,
  ) {
    super();
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    assertTtl(ttlMs);
    this.backend.entries.set(key, {
      value,
      expiresAt: this.backend.now() + ttlMs,
    });
  }

  async putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    assertTtl(ttlMs);
    if (this.backend.live(key)) return false;
    this.backend.entries.set(key, {
      value,
      expiresAt: this.backend.now() + ttlMs,
    });
    return true;
  }

  async get(key: string): Promise<string | undefined> {
    return this.backend.live(key)?.value;
  }

  async take(key: string): Promise<string | undefined> {
    const entry = this.backend.live(key);
    if (!entry) return undefined;
    this.backend.entries.delete(key);
    return entry.value;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.backend.live(key) !== undefined;
    this.backend.entries.delete(key);
    return existed;
  }

  async increment(key: string, windowMs: number): Promise<number> {
    assertTtl(windowMs);
    const entry = this.backend.live(key);
    const count = entry ? Number(entry.value) + 1 : 1;
    this.backend.entries.set(key, {
      value: String(count),
      expiresAt: entry?.expiresAt ?? this.backend.now() + windowMs,
    });
    return count;
  }

  async append(key: string, value: string, ttlMs: number, maxLength: number): Promise<number> {
    assertTtl(ttlMs);
    assertLength(maxLength);
    const items = [...this.listAt(key), value].slice(-maxLength);
    this.backend.lists.set(key, { items, expiresAt: this.backend.now() + ttlMs });
    return items.length;
  }

  async readList(key: string): Promise<string[]> {
    return [...this.listAt(key)];
  }

  private listAt(key: string): readonly string[] {
    const list = this.backend.lists.get(key);
    if (list && list.expiresAt <= this.backend.now()) {
      this.backend.lists.delete(key);
      return [];
    }
    return list?.items ?? [];
  }

  async remainingTtl(key: string): Promise<number | undefined> {
    // A key is a plain value or a list, as on Redis.
    const entry = this.backend.live(key) ?? (this.listAt(key).length > 0 ? this.backend.lists.get(key) : undefined);
    return entry ? entry.expiresAt - this.backend.now() : undefined;
  }

  async countKeys(prefix: string): Promise<number> {
    let count = 0;
    for (const key of this.backend.entries.keys()) if (key.startsWith(prefix) && this.backend.live(key)) count += 1;
    return count;
  }

  async publish(channel: string, message: string): Promise<void> {
    setImmediate(() => this.backend.bus.emit(channel, message));
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe> {
    const subscription = {
      channel,
      listener: (message: string) => onMessage(message),
    };
    this.subscriptions.add(subscription);
    this.backend.bus.on(channel, subscription.listener);
    return async () => {
      this.backend.bus.off(channel, subscription.listener);
      this.subscriptions.delete(subscription);
    };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('in-process store is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { channel, listener } of this.subscriptions) this.backend.bus.off(channel, listener);
    this.subscriptions.clear();
    if (this.ownsBackend) this.backend.dispose();
  }
}
