import { Redis, type RedisOptions } from 'ioredis';
import { EphemeralStore, assertLength, assertTtl, type Unsubscribe } from './ephemeral-store.js';

export interface RedisStoreOptions {
  /** Prepended to every key and channel; lets deployments (and parallel test runs) share one Redis. */
  prefix?: string;
  /** Readiness probe deadline. */
  pingTimeoutMs?: number;
}

const CONNECTION: RedisOptions = {
  // Fail a command after two reconnect attempts rather than queue it for long: a login must fail fast.
  maxRetriesPerRequest: 2,
  connectTimeout: 5_000,
  retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
};

/**
 * The two multi-step operations as server-side scripts: atomic like MULTI/EXEC, but one command (EVALSHA) that
 * pipelines with its neighbours, where a transaction is four commands in a write of its own (docs/performance.md).
 */
const SCRIPTS = {
  /** INCR; the window starts with the first count (PEXPIRE … NX: later counts do not extend it). */
  idtokenIncrement: {
    numberOfKeys: 1,
    lua: `local count = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1], 'NX')
return count`,
  },
  /** RPUSH, keep the last ARGV[3] items, (re)set the TTL; the length after the push. */
  idtokenAppend: {
    numberOfKeys: 1,
    lua: `local length = redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return length`,
  },
};

type ScriptedRedis = Redis & {
  idtokenIncrement(key: string, windowMs: number): Promise<number>;
  idtokenAppend(key: string, value: string, ttlMs: number, maxLength: number): Promise<number>;
};

/**
 * Redis adapter (Redis ≥ 7: GETDEL, PEXPIRE … NX). One connection for commands and, on first subscribe,
 * a second one in subscriber mode, as Redis requires.
 */
export class RedisStore extends EphemeralStore {
  private readonly commands: ScriptedRedis;
  private subscriber: Redis | undefined;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private readonly prefix: string;
  private readonly pingTimeoutMs: number;

  constructor(url: string, options: RedisStoreOptions = {}) {
    super();
    this.prefix = options.prefix ?? 'idtoken:';
    this.pingTimeoutMs = options.pingTimeoutMs ?? 1_500;
    this.commands = new Redis(url, {
      ...CONNECTION,
      connectionName: 'idtoken',
      // Commands issued in the same tick (a new session's keys, a check's reads) leave in one write: on loopback
      // a write costs more than the command (docs/performance.md).
      enableAutoPipelining: true,
      scripts: SCRIPTS,
    }) as ScriptedRedis;
    // Connection errors are reported by ping() and by failed commands; an 'error' listener keeps them
    // from becoming uncaught exceptions while ioredis reconnects.
    this.commands.on('error', () => undefined);
  }

  private k(key: string): string {
    return this.prefix + key;
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    assertTtl(ttlMs);
    await this.commands.set(this.k(key), value, 'PX', ttlMs);
  }

  async putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    assertTtl(ttlMs);
    return (await this.commands.set(this.k(key), value, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.commands.get(this.k(key))) ?? undefined;
  }

  async take(key: string): Promise<string | undefined> {
    return (await this.commands.getdel(this.k(key))) ?? undefined;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.commands.del(this.k(key))) > 0;
  }

  async increment(key: string, windowMs: number): Promise<number> {
    assertTtl(windowMs);
    return Number(await this.commands.idtokenIncrement(this.k(key), windowMs));
  }

  async append(key: string, value: string, ttlMs: number, maxLength: number): Promise<number> {
    assertTtl(ttlMs);
    assertLength(maxLength);
    return Math.min(Number(await this.commands.idtokenAppend(this.k(key), value, ttlMs, maxLength)), maxLength);
  }

  async readList(key: string): Promise<string[]> {
    return this.commands.lrange(this.k(key), 0, -1);
  }

  async remainingTtl(key: string): Promise<number | undefined> {
    const ttl = await this.commands.pttl(this.k(key));
    // -2: no such key; -1: no expiry (never set by this adapter).
    return ttl >= 0 ? ttl : undefined;
  }

  async countKeys(prefix: string): Promise<number> {
    // SCAN may return a key twice across batches while the keyspace rehashes: a set counts each once. Lists of the
    // same prefix are left out (TYPE string), as the port says.
    const pattern = `${globEscape(this.k(prefix))}*`;
    const seen = new Set<string>();
    for await (const batch of this.commands.scanStream({ match: pattern, type: 'string', count: 1_000 })) {
      for (const key of batch as string[]) seen.add(key);
    }
    return seen.size;
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.commands.publish(this.k(channel), message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe> {
    const subscriber = this.subscriberConnection();
    const name = this.k(channel);
    let handlers = this.handlers.get(name);
    if (!handlers) {
      handlers = new Set();
      this.handlers.set(name, handlers);
      try {
        await subscriber.subscribe(name);
      } catch (error) {
        // Forget the channel, so a later subscribe tries again instead of silently receiving nothing.
        this.handlers.delete(name);
        throw error;
      }
    }
    const handler = (message: string) => onMessage(message);
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.handlers.get(name) === handlers) {
        this.handlers.delete(name);
        await subscriber.unsubscribe(name);
      }
    };
  }

  private subscriberConnection(): Redis {
    if (!this.subscriber) {
      this.subscriber = this.commands.duplicate({
        connectionName: 'idtoken-subscriber',
        enableAutoPipelining: false,
        // ioredis sends a SUBSCRIBE made while it connects at once, which can overtake its ready check's INFO; Redis
        // then refuses the INFO (subscriber mode), and the connection came back subscribed to nothing, for good
        // (ioredis issue #2037). One node in three of a pair booted that way here. A subscriber needs no ready check.
        enableReadyCheck: false,
      });
      this.subscriber.on('error', () => undefined);
      this.subscriber.on('message', (channel: string, message: string) => {
        for (const handler of this.handlers.get(channel) ?? []) handler(message);
      });
    }
    return this.subscriber;
  }

  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer within ${this.pingTimeoutMs} ms`)),
        this.pingTimeoutMs,
      );
    });
    try {
      await Promise.race([this.commands.ping(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.all([quit(this.commands), this.subscriber ? quit(this.subscriber) : undefined]);
  }
}

/** `value` as a literal in a Redis glob pattern (SCAN MATCH): `*`, `?`, `[`, `]` and `\\` escaped. */
function globEscape(value: string): string {
  return value.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}

async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status !== 'ready') {
    // Not connected (e.g. reconnecting to a Redis that went away): stop retrying at once.
    connection.disconnect();
    return;
  }
  const ended = new Promise((resolve) => connection.once('end', resolve));
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
  await ended;
}
