import { randomUUID } from 'node:crypto';
import { ephemeralStoreContract } from './ephemeral-store.contract.js';
import { InProcessBackend, InProcessStore } from './in-process.store.js';
import { RedisStore } from './redis.store.js';

describe('InProcessStore', () => {
  ephemeralStoreContract(async () => {
    const backend = new InProcessBackend();
    const a = new InProcessStore(backend, false);
    const b = new InProcessStore(backend, false);
    return {
      a,
      b,
      close: async () => {
        await Promise.all([a.close(), b.close()]);
        backend.dispose();
      },
    };
  });

  it('expires by its own clock, with no waiting', async () => {
    let now = 1_000;
    const backend = new InProcessBackend(() => now);
    const store = new InProcessStore(backend);
    await store.put('k', 'v', 60_000);
    now += 59_999;
    expect(await store.get('k')).toBe('v');
    now += 1;
    expect(await store.get('k')).toBeUndefined();
    await store.close();
  });

  it('sweeps expired keys nobody reads again', async () => {
    let now = 0;
    const backend = new InProcessBackend(() => now);
    const store = new InProcessStore(backend);
    for (let i = 0; i < 1000; i++) await store.put(`k${i}`, 'v', 10);
    now = 11;
    backend.sweep();
    expect(backend.entries.size).toBe(0);
    await store.close();
  });
});

// The Redis run needs a real server: CI sets REDIS_URL (see .ci/run).
const redisUrl = process.env.REDIS_URL;
(redisUrl ? describe : describe.skip)('RedisStore (REDIS_URL)', () => {
  ephemeralStoreContract(async () => {
    const prefix = `idtoken-test:${randomUUID()}:`;
    const a = new RedisStore(redisUrl!, { prefix });
    const b = new RedisStore(redisUrl!, { prefix });
    return {
      a,
      b,
      close: async () => void (await Promise.all([a.close(), b.close()])),
    };
  });

  it('holds every subscription made while its connections are still opening, on each of many new stores', async () => {
    // The way a node boots: a fresh store, and all its channels subscribed at once before anything has connected.
    const prefix = `idtoken-test:${randomUUID()}:`;
    const channels = ['one', 'two', 'three', 'four', 'five', 'six'];
    const stores = Array.from({ length: 12 }, () => new RedisStore(redisUrl!, { prefix }));
    const heard = stores.map(() => new Set<string>());
    try {
      // Each store's channels one event-loop turn apart, so that some land while its connection shakes hands.
      await Promise.all(
        stores.map(async (store, index) => {
          const subscribed: Promise<unknown>[] = [];
          for (const channel of channels) {
            subscribed.push(store.subscribe(channel, (message) => heard[index]!.add(message)));
            await new Promise((resolve) => setImmediate(resolve));
          }
          await Promise.all(subscribed);
        }),
      );
      const publisher = stores[0]!;
      await Promise.all(channels.map((channel) => publisher.publish(channel, channel)));
      const deadline = Date.now() + 3_000;
      while (heard.some((messages) => messages.size < channels.length) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(heard.map((messages) => [...messages].sort())).toEqual(stores.map(() => [...channels].sort()));
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('rejects ping when Redis is unreachable, without throwing elsewhere', async () => {
    const store = new RedisStore('redis://127.0.0.1:1', { pingTimeoutMs: 300 });
    await expect(store.ping()).rejects.toThrow();
    await store.close();
  });
});
