import { jest } from '@jest/globals';
import { InProcessBackend, InProcessStore } from '#idtoken/platform';
import { InMemoryRevocations } from '../testing/in-memory-revocations.js';
import { TrustChanges } from '../trust-changes.js';
import { DEFAULT_MAX_STALENESS_MS, RevocationList } from './revocation-list.js';

const FINGERPRINT = 'cd'.repeat(32);
const BY = { reason: 'compromised', actor: 'test' };

describe('RevocationList (the cached VRL)', () => {
  let backend: InProcessBackend;
  let records: InMemoryRevocations;
  let clock: number;
  const node = () => {
    const changes = new TrustChanges(new InProcessStore(backend, false));
    return { changes, list: new RevocationList(records, changes, { now: () => clock }) };
  };

  beforeEach(() => {
    backend = new InProcessBackend();
    records = new InMemoryRevocations();
    clock = 1_000_000;
  });
  afterEach(() => backend.dispose());

  it('serves reads from memory until the view is 30 s old, then reloads (a lost message costs at most that)', async () => {
    const { list } = node();
    await list.reload();
    records.fingerprints.set(FINGERPRINT, BY); // another node's revocation, its message lost
    clock += DEFAULT_MAX_STALENESS_MS - 1;
    expect((await list.current()).fingerprints.has(FINGERPRINT)).toBe(false);
    expect(records.loads).toBe(1);
    clock += 1;
    expect((await list.current()).fingerprints.has(FINGERPRINT)).toBe(true);
    expect(records.loads).toBe(2);
  });

  it('shares one reload among concurrent readers of a stale view', async () => {
    const { list } = node();
    await Promise.all([list.current(), list.current(), list.current()]);
    expect(records.loads).toBe(1);
  });

  it('shows its own revocation as soon as the call returns, with no clock movement', async () => {
    const { list } = node();
    await list.reload();
    expect(await list.revokeFingerprint(FINGERPRINT, BY)).toBe(true);
    expect((await list.current()).fingerprints.has(FINGERPRINT)).toBe(true);
  });

  it('never lets a slow, older load replace a newer view', async () => {
    const { list } = node();
    await list.reload();
    let release!: () => void;
    records.gate = new Promise((resolve) => (release = resolve));
    const older = list.reload(); // reads the tables before the revocation, then waits
    records.gate = undefined;
    await list.revokeFingerprint(FINGERPRINT, BY); // commits, reloads (newer) and applies
    release();
    await older;
    expect((await list.current()).fingerprints.has(FINGERPRINT)).toBe(true);
  });

  it('reloads on another node when it hears of the revocation on trust:changed', async () => {
    const a = node();
    const b = node();
    await Promise.all([a.changes.start(), b.changes.start(), a.list.reload(), b.list.reload()]);
    const heard = new Promise((resolve) => b.changes.onChange(resolve));
    await a.list.revokeFingerprint(FINGERPRINT, BY);
    await heard;
    // b's own listener (registered first) invalidated its view and started a reload; this read awaits that reload.
    expect((await b.list.current()).fingerprints.has(FINGERPRINT)).toBe(true);
  });

  it('keeps a committed revocation when announcing it fails, and says so', async () => {
    const warnings: string[] = [];
    const changes = new TrustChanges(new InProcessStore(backend, false));
    jest.spyOn(changes, 'publish').mockRejectedValue(new Error('store down'));
    const list = new RevocationList(records, changes, { now: () => clock, warn: (m) => warnings.push(m) });
    expect(await list.revokeFingerprint(FINGERPRINT, BY)).toBe(true);
    expect((await list.current()).fingerprints.has(FINGERPRINT)).toBe(true);
    expect(warnings).toEqual([expect.stringContaining('announcing a revocation failed: Error: store down')]);
  });

  it('does not announce a revocation that was already on the list', async () => {
    const { changes, list } = node();
    const publish = jest.spyOn(changes, 'publish');
    await list.revokeFingerprint(FINGERPRINT, BY);
    await list.revokeFingerprint(FINGERPRINT, BY);
    expect(publish).toHaveBeenCalledTimes(1);
  });
});
