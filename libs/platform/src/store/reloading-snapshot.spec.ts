import { ReloadingSnapshot } from './reloading-snapshot.js';

/** A load whose answers the test releases one by one, to order concurrent loads as it likes. */
function controlledLoads() {
  const waiting: { resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
  let started = 0;
  const load = () =>
    new Promise<string>((resolve, reject) => {
      started += 1;
      waiting.push({ resolve, reject });
    });
  return {
    load,
    started: () => started,
    answer: (index: number, value: string) => waiting[index]?.resolve(value),
    fail: (index: number) => waiting[index]?.reject(new Error('database down')),
  };
}

describe('ReloadingSnapshot', () => {
  it('loads once for concurrent readers, then answers from memory', async () => {
    const loads = controlledLoads();
    const snapshot = new ReloadingSnapshot(loads.load);
    const readers = [snapshot.current(), snapshot.current(), snapshot.current()];
    loads.answer(0, 'v1');
    expect(await Promise.all(readers)).toEqual(['v1', 'v1', 'v1']);
    expect(await snapshot.current()).toBe('v1');
    expect(loads.started()).toBe(1);
  });

  it('loads again after an invalidation, and never serves a load that started before it', async () => {
    const loads = controlledLoads();
    const snapshot = new ReloadingSnapshot(loads.load);
    const first = snapshot.current();
    // A change commits while the first load is on its way: its answer may predate the change.
    snapshot.invalidate();
    const second = snapshot.current();
    expect(loads.started()).toBe(2);
    loads.answer(0, 'before the change');
    expect(await first).toBe('before the change');
    loads.answer(1, 'after the change');
    expect(await second).toBe('after the change');
    expect(await snapshot.current()).toBe('after the change');
  });

  it('keeps the newer value when an older, slower load answers last', async () => {
    const loads = controlledLoads();
    const snapshot = new ReloadingSnapshot(loads.load);
    const older = snapshot.current();
    snapshot.invalidate();
    const newer = snapshot.current();
    loads.answer(1, 'newer');
    expect(await newer).toBe('newer');
    loads.answer(0, 'older');
    await older;
    expect(await snapshot.current()).toBe('newer');
    expect(loads.started()).toBe(2);
  });

  it('loads again once the value is older than the maximum age', async () => {
    let now = 0;
    let version = 0;
    const snapshot = new ReloadingSnapshot(async () => `v${++version}`, { maxStalenessMs: 1_000, now: () => now });
    expect(await snapshot.current()).toBe('v1');
    now = 999;
    expect(await snapshot.current()).toBe('v1');
    now = 1_000;
    expect(await snapshot.current()).toBe('v2');
  });

  it('caches no failure: the next read loads again', async () => {
    const loads = controlledLoads();
    const snapshot = new ReloadingSnapshot(loads.load);
    const failing = snapshot.current();
    loads.fail(0);
    await expect(failing).rejects.toThrow('database down');
    const retried = snapshot.current();
    loads.answer(1, 'back');
    expect(await retried).toBe('back');
  });
});
