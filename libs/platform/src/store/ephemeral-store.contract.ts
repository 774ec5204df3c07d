import { randomUUID } from 'node:crypto';
import type { EphemeralStore } from './ephemeral-store.js';

/** Two stores that share state, as two server nodes on one Redis do. */
export interface StorePair {
  a: EphemeralStore;
  b: EphemeralStore;
  close(): Promise<void>;
}

/** Polls until `condition` holds; real stores expire keys in real time. */
async function eventually(condition: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function nextMessage(
  store: EphemeralStore,
  channel: string,
): { received: Promise<string>; ready: Promise<() => Promise<void>> } {
  let resolveReceived!: (message: string) => void;
  const received = new Promise<string>((resolve) => (resolveReceived = resolve));
  const ready = store.subscribe(channel, resolveReceived);
  return { received, ready };
}

/** The contract every EphemeralStore adapter passes; run once per adapter. */
export function ephemeralStoreContract(openPair: () => Promise<StorePair>): void {
  let pair: StorePair;
  let key: (name: string) => string;

  beforeEach(async () => {
    pair = await openPair();
    const run = randomUUID();
    key = (name) => `contract:${run}:${name}`;
  });
  afterEach(async () => pair.close());

  it('returns what was put, and nothing for an unknown key', async () => {
    await pair.a.put(key('k'), 'value é', 10_000);
    expect(await pair.b.get(key('k'))).toBe('value é');
    expect(await pair.b.get(key('missing'))).toBeUndefined();
  });

  it('forgets a value when its TTL ends', async () => {
    const started = Date.now();
    await pair.a.put(key('short'), 'v', 150);
    expect(await pair.b.get(key('short'))).toBe('v');
    await eventually(async () => (await pair.b.get(key('short'))) === undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('replaces a value and its TTL on put', async () => {
    await pair.a.put(key('k'), 'first', 100);
    await pair.a.put(key('k'), 'second', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await pair.b.get(key('k'))).toBe('second');
  });

  it('stores with putIfAbsent only when the key is free', async () => {
    expect(await pair.a.putIfAbsent(key('once'), '1', 150)).toBe(true);
    expect(await pair.b.putIfAbsent(key('once'), '2', 150)).toBe(false);
    expect(await pair.a.get(key('once'))).toBe('1');
    await eventually(async () => pair.b.putIfAbsent(key('once'), '3', 10_000));
    expect(await pair.a.get(key('once'))).toBe('3');
  });

  it('gives a value to exactly one of 50 concurrent takers', async () => {
    await pair.a.put(key('session'), 'approved-once', 10_000);
    const takers = Array.from({ length: 50 }, (_, i) => (i % 2 ? pair.a : pair.b).take(key('session')));
    const results = await Promise.all(takers);
    expect(results.filter((r) => r === 'approved-once')).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(49);
    expect(await pair.a.get(key('session'))).toBeUndefined();
  });

  it('takes nothing from an expired key', async () => {
    await pair.a.put(key('late'), 'v', 50);
    await eventually(async () => (await pair.a.get(key('late'))) === undefined);
    expect(await pair.b.take(key('late'))).toBeUndefined();
  });

  it('deletes, telling whether something was there', async () => {
    await pair.a.put(key('d'), 'v', 10_000);
    expect(await pair.b.delete(key('d'))).toBe(true);
    expect(await pair.b.delete(key('d'))).toBe(false);
    expect(await pair.a.get(key('d'))).toBeUndefined();
  });

  it('counts atomically under 100 concurrent increments from two nodes', async () => {
    const counts = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? pair.a : pair.b).increment(key('c'), 10_000)),
    );
    expect(new Set(counts).size).toBe(100);
    expect(Math.max(...counts)).toBe(100);
  });

  it('ends a counter with its window, which later increments do not extend', async () => {
    const started = Date.now();
    expect(await pair.a.increment(key('w'), 300)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await pair.b.increment(key('w'), 300)).toBe(2);
    await eventually(async () => (await pair.a.get(key('w'))) === undefined);
    // Expired 300 ms after the first increment, not 300 ms after the second.
    expect(Date.now() - started).toBeLessThan(440);
    expect(await pair.a.increment(key('w'), 300)).toBe(1);
  });

  it('delivers a published message to subscribers on both nodes', async () => {
    const onB = nextMessage(pair.b, key('events'));
    const onA = nextMessage(pair.a, key('events'));
    await Promise.all([onA.ready, onB.ready]);
    await pair.a.publish(key('events'), '{"type":"approved"}');
    await expect(onB.received).resolves.toBe('{"type":"approved"}');
    await expect(onA.received).resolves.toBe('{"type":"approved"}');
  });

  it('applies one node’s calls in their order when they are issued together: the listener finds the writes', async () => {
    const found: Array<{ value: string | undefined; list: string[] }> = [];
    let allHeard!: () => void;
    const heard = new Promise<void>((resolve) => (allHeard = resolve));
    const unsubscribe = await pair.b.subscribe(key('channel'), (message) => {
      void Promise.all([pair.b.get(key(`value-${message}`)), pair.b.readList(key(`list-${message}`))]).then(
        ([value, list]) => {
          if (found.push({ value, list }) === 20) allHeard();
        },
      );
    });
    // Not awaited one by one: 20 write-then-publish pairs leave together (pipelined on Redis).
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => [
        pair.a.put(key(`value-${i}`), `v${i}`, 10_000),
        pair.a.append(key(`list-${i}`), `item${i}`, 10_000, 5),
        pair.a.publish(key('channel'), String(i)),
      ]).flat(),
    );
    await heard;
    await unsubscribe();
    expect(found.every(({ value, list }) => value !== undefined && list.length === 1)).toBe(true);
  });

  it('stops delivering after unsubscribe, and keeps other subscriptions', async () => {
    const stopped: string[] = [];
    const unsubscribe = await pair.b.subscribe(key('ch'), (m) => stopped.push(m));
    const kept = nextMessage(pair.b, key('ch'));
    await kept.ready;
    await unsubscribe();
    await pair.a.publish(key('ch'), 'after');
    await expect(kept.received).resolves.toBe('after');
    expect(stopped).toEqual([]);
  });

  it('appends to a list from two nodes, keeping order and only the last items', async () => {
    expect(await pair.b.readList(key('list'))).toEqual([]);
    expect(await pair.a.append(key('list'), 'one', 10_000, 3)).toBe(1);
    expect(await pair.b.append(key('list'), 'two', 10_000, 3)).toBe(2);
    await pair.a.append(key('list'), 'three', 10_000, 3);
    expect(await pair.a.append(key('list'), 'four', 10_000, 3)).toBe(3);
    expect(await pair.b.readList(key('list'))).toEqual(['two', 'three', 'four']);
  });

  it('keeps every one of 50 concurrent appends, and drops the list when its TTL ends', async () => {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? pair.a : pair.b).append(key('many'), `${i}`, 300, 100)),
    );
    expect((await pair.a.readList(key('many'))).map(Number).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    await eventually(async () => (await pair.b.readList(key('many'))).length === 0);
    await expect(pair.a.append(key('many'), 'x', 1_000, 0)).rejects.toThrow(RangeError);
  });

  it('tells the time a key or a list has left, and nothing for a missing key', async () => {
    await pair.a.increment(key('ttl'), 10_000);
    await pair.a.append(key('list-ttl'), 'item', 20_000, 5);
    const left = await pair.b.remainingTtl(key('ttl'));
    expect(left).toBeGreaterThan(9_000);
    expect(left).toBeLessThanOrEqual(10_000);
    const listLeft = await pair.b.remainingTtl(key('list-ttl'));
    expect(listLeft).toBeGreaterThan(19_000);
    expect(listLeft).toBeLessThanOrEqual(20_000);
    expect(await pair.b.remainingTtl(key('missing'))).toBeUndefined();
  });

  it('refuses a TTL that is not a positive integer', async () => {
    await expect(pair.a.put(key('k'), 'v', 0)).rejects.toThrow(RangeError);
    await expect(pair.a.increment(key('k'), -5)).rejects.toThrow(RangeError);
    await expect(pair.a.putIfAbsent(key('k'), 'v', 1.5)).rejects.toThrow(RangeError);
  });

  it('counts the live keys of a prefix seen from either node, and no lists or expired keys', async () => {
    for (let index = 0; index < 25; index += 1) await pair.a.put(key(`count:*[x]:${index}`), 'v', 10_000);
    await pair.b.put(key('count:*[x]:short'), 'v', 50);
    await pair.b.put(key('count-other'), 'v', 10_000);
    await pair.b.append(key('count:*[x]:list'), 'v', 10_000, 5);
    // The prefix holds glob characters: they are matched literally.
    await pair.a.put(key('count:aa[x]:1'), 'v', 10_000);
    await eventually(async () => (await pair.b.countKeys(key('count:*[x]:'))) === 25);
    expect(await pair.a.countKeys(key('count:'))).toBe(26);
    expect(await pair.a.countKeys(key('nothing:'))).toBe(0);
  });

  it('answers ping', async () => {
    await expect(pair.a.ping()).resolves.toBeUndefined();
  });
}
