import { InProcessBackend, InProcessStore } from '#idtoken/platform';
import type { SessionRecord } from './session-record.js';
import { SESSION_EVENTS_CHANNEL, SessionStore } from './session.store.js';
import { sessionStatus } from './status/session-status.js';

const record: SessionRecord = {
  sessionId: 'sess_AAECAwQFBgcICQoLDA0ODw',
  tokenId: '3f1c0c3e-9c1d-4c43-9a55-1c1f4b9e7a10',
  serviceId: 'shop',
  serviceReference: 'shop',
  tokenLifetimeSeconds: 300,
  scopes: ['identity:name'],
  otp: '048213',
  random: '00112233445566778899aabbccddeeff',
  wsToken: 'BK_eHmU9UvD5BkWrC1TY7NXYBIP2MUE3JnQoxUxnAZ4',
  expiresAt: 60,
  createdAt: 0,
};

describe('SessionStore', () => {
  let clock = 0;
  let backend: InProcessBackend;
  let store: SessionStore;
  beforeEach(() => {
    clock = 0;
    backend = new InProcessBackend(() => clock, 60_000);
    store = new SessionStore(new InProcessStore(backend));
  });
  afterEach(() => backend.dispose());

  it('keeps a session 60 s and gives it to exactly one taker', async () => {
    await store.saveSession(record);
    const takes = await Promise.all(Array.from({ length: 10 }, () => store.takeSessionOnce(record.sessionId)));
    expect(takes.filter(Boolean)).toEqual([record]);
    await store.saveSession(record);
    clock = 60_000;
    expect(await store.readSession(record.sessionId)).toBeUndefined();
  });

  it('counts failures per session and per tokenId', async () => {
    expect(await store.countSessionFailure(record.sessionId)).toBe(1);
    expect(await store.countSessionFailure(record.sessionId)).toBe(2);
    await store.countTokenFailure(record.tokenId!);
    expect(await store.tokenFailures(record.tokenId!)).toBe(1);
    clock = 24 * 3_600_000;
    expect(await store.tokenFailures(record.tokenId!)).toBe(0);
  });

  it('reports pending → approved for 60 s → expired, and only to the session wsToken', async () => {
    const now = () => new Date(clock);
    await store.saveSession(record);
    const state = async () => ({
      result: await store.readResult(record.sessionId),
      session: await store.readSession(record.sessionId),
      ticket: await store.readTicket(record.sessionId),
    });
    expect(sessionStatus(await state(), record.wsToken, now())).toEqual({ status: 'pending' });
    expect(() => sessionStatus({}, record.wsToken, now())).toThrow('session_not_found');
    expect(() => sessionStatus({ session: record }, 'wrong', now())).toThrow('session_not_found');
    await store.takeSessionOnce(record.sessionId);
    // Taken by a verify, result not yet written: still pending until the session would have expired.
    expect(sessionStatus(await state(), record.wsToken, now())).toEqual({ status: 'pending' });
    clock = 30_000;
    await store.saveResult(record.sessionId, {
      status: 'approved',
      wsToken: record.wsToken,
      jwt: 'a.b.c',
      hash: 'h',
      random: record.random,
      expiresAt: 330,
      approval: { tokenId: 't', grantedScopes: ['identity:name'], trustLevel: 'high', approvedAt: 30 },
    });
    // The poller sees the spec's fields only, never who approved.
    expect(sessionStatus(await state(), record.wsToken, now())).toEqual({
      status: 'approved',
      jwt: 'a.b.c',
      hash: 'h',
      random: record.random,
    });
    clock = 95_000;
    expect(sessionStatus(await state(), record.wsToken, now())).toEqual({ status: 'expired' });
  });

  it('marks the events of sessions a CIBA request waits on, and only those', async () => {
    const inProcess = new InProcessStore(backend);
    const events = new SessionStore(inProcess);
    const heard: unknown[] = [];
    let bothHeard!: () => void;
    const delivered = new Promise<void>((resolve) => (bothHeard = resolve));
    const unsubscribe = await inProcess.subscribe(SESSION_EVENTS_CHANNEL, (message) => {
      if (heard.push(JSON.parse(message)) === 2) bothHeard();
    });
    const rejected = { type: 'rejected', sessionId: record.sessionId, reason: 'denied' } as const;
    const result = { status: 'rejected', wsToken: record.wsToken, reason: 'denied' } as const;
    await events.saveAndPublish(record, result);
    await events.saveAndPublish({ ...record, backchannel: true }, result);
    await delivered;
    await unsubscribe();
    expect(heard).toEqual([rejected, { ...rejected, backchannel: true }]);
  });
});
