/**
 * Servers whose start a test stopped waiting for. When a `beforeAll` times out while `startTestApp` is still
 * booting, the test never gets the server to close: it would finish starting after the test file ended and keep
 * the run alive. `closeAbandonedStarts` (an `afterAll` of every test file, jest.config.js) waits for such starts
 * and closes what they made. A start that completed belongs to its test, which closes it itself.
 */
const pending = new Set<Promise<{ close(): Promise<void> }>>();

export function trackStart<T extends { close(): Promise<void> }>(start: Promise<T>): Promise<T> {
  pending.add(start);
  const settled = () => pending.delete(start);
  start.then(settled, settled);
  return start;
}

export async function closeAbandonedStarts(): Promise<void> {
  await Promise.allSettled([...pending].map(async (start) => (await start).close()));
}
