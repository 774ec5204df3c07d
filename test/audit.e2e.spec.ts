import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { deriveOtp } from '#idtoken/sessions';
import {
  BOOTSTRAP_ADMIN_KEY,
  enrolledPhone,
  issueCredential,
  newDevice,
  registerService,
  setUpStation,
} from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';
import { IdTokenClient, Station } from '../apps/device/src/index.js';

interface EventView {
  id: string;
  occurredAt: string;
  type: string;
  actor: string | null;
  subject: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
}

/**
 * The audit trail read through the admin API (issue 8): filters, cursor pagination, the JSON-lines export; and
 * stations an operator can list and an admin can disable (their keys stop working at once).
 */
describe('audit trail and stations (admin API)', () => {
  let server: RunningApp;
  const admin = (path: string, init: { method?: string; body?: unknown; key?: string } = {}) =>
    fetch(`${server.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${init.key ?? BOOTSTRAP_ADMIN_KEY}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        'x-request-id': 'audit-test-1',
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const page = async (query: string) => {
    const response = await admin(`/admin/audit-events?${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as { events: EventView[]; nextCursor: string | null };
  };

  beforeAll(async () => {
    server = await startTestApp({ IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY });
  });
  afterAll(async () => server?.close());

  it('records a service change with before/after, actor, request id, and finds it by type, prefix and subject', async () => {
    const created = await admin('/admin/services', {
      method: 'POST',
      body: {
        serviceId: 'audited',
        name: 'Audited',
        url: 'https://audited.example',
        allowedScopes: ['identity:name'],
        defaultScopes: ['identity:name'],
      },
    });
    expect(created.status).toBe(201);
    const changed = await admin('/admin/services/audited', { method: 'PATCH', body: { name: 'Audited, renamed' } });
    expect(changed.status).toBe(200);

    const updates = await page('type=service.updated&subject=audited');
    expect(updates.events).toHaveLength(1);
    expect(updates.events[0]).toMatchObject({
      type: 'service.updated',
      subject: 'audited',
      actor: expect.stringMatching(/admin/),
      requestId: 'audit-test-1',
      data: { before: { name: 'Audited' }, after: { name: 'Audited, renamed' } },
    });
    const byPrefix = await page('type=service.*&subject=audited');
    expect(byPrefix.events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['service.created', 'service.updated']),
    );
    expect(byPrefix.events.every((event) => event.type.startsWith('service.'))).toBe(true);
  });

  it('pages newest first with a cursor, bounds by time, and exports the same events as JSON lines', async () => {
    const { station, csca } = await setUpStation(server.baseUrl);
    const issued = await issueCredential(station, csca);
    const device = await newDevice(server.baseUrl);
    await device.receiveCredential(issued.vds);
    await device.enroll({ liveFaceTemplate: issued.face });

    const all = await page('limit=1000');
    expect(all.events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['station.created', 'credential.issued', 'enrollment.created']),
    );
    const ids = all.events.map((event) => BigInt(event.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(ids);

    // Two at a time, following nextCursor, gives the same events in the same order.
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const next = await page(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      walked.push(...next.events.map((event) => event.id));
      cursor = next.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all.events.map((event) => event.id));

    const enrolled = all.events.find((event) => event.type === 'enrollment.created')!;
    const at = new Date(enrolled.occurredAt);
    const around = await page(
      `since=${new Date(at.getTime() - 1).toISOString()}&until=${new Date(at.getTime() + 1).toISOString()}&type=enrollment.created`,
    );
    expect(around.events.map((event) => event.id)).toContain(enrolled.id);
    const later = await page(`since=${new Date(at.getTime() + 60_000).toISOString()}`);
    expect(later.events).toHaveLength(0);

    const exported = await admin('/admin/audit-events/export?type=enrollment.*');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await exported.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EventView);
    expect(lines.map((event) => event.id)).toEqual(
      all.events.filter((event) => event.type.startsWith('enrollment.')).map((event) => event.id),
    );
  });

  it('refuses malformed filters with problem+json, and answers operators but not stations', async () => {
    for (const query of ['type=DROP%20TABLE', 'cursor=abc', 'limit=0', 'since=yesterday', 'unknown=1']) {
      const response = await admin(`/admin/audit-events?${query}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const operator = await admin('/admin/api-keys', { method: 'POST', body: { name: 'ops', role: 'operator' } });
    const { apiKey } = (await operator.json()) as { apiKey: string };
    expect((await admin('/admin/audit-events', { key: apiKey })).status).toBe(200);
    const created = await admin('/admin/stations', { method: 'POST', body: { name: 'desk 9' } });
    const station = (await created.json()) as { apiKey: string };
    expect((await admin('/admin/audit-events', { key: station.apiKey })).status).toBe(403);
  });

  it('lists stations and disables one: its key is refused at once, it is audited, twice is a no-op', async () => {
    const created = await admin('/admin/stations', { method: 'POST', body: { name: 'stolen desk' } });
    const { stationId, apiKey } = (await created.json()) as { stationId: string; apiKey: string };
    const station = new Station(new IdTokenClient(server.baseUrl, apiKey));
    await expect(station.challenge()).resolves.toBeInstanceOf(Uint8Array);

    expect((await admin(`/admin/stations/${stationId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await admin(`/admin/stations/${stationId}`, { method: 'DELETE' })).status).toBe(204);
    await expect(station.challenge()).rejects.toThrow(/401/);

    const listed = (await (await admin('/admin/stations')).json()) as {
      stations: { stationId: string; disabledAt: string | null }[];
    };
    expect(listed.stations.find((entry) => entry.stationId === stationId)?.disabledAt).toEqual(expect.any(String));
    const events = await page(`type=station.disabled&subject=${stationId}`);
    expect(events.events).toHaveLength(1);
    expect((events.events[0]!.data.revokedKeys as string[]).length).toBe(1);
    expect((await admin('/admin/stations/00000000-0000-4000-8000-000000000000', { method: 'DELETE' })).status).toBe(
      404,
    );
    expect((await admin('/admin/stations/not-a-uuid', { method: 'DELETE' })).status).toBe(404);
  });

  it('records a login end to end: a failed check, the approval with a consent receipt that re-proves it, a denial, a revocation', async () => {
    const { serviceSecret, serviceVds } = await registerService(server.baseUrl, {
      serviceId: 'receipts',
      name: 'Receipts',
      allowedScopes: ['identity:name', 'identity:age_over_18'],
    });
    const { device } = await enrolledPhone(server.baseUrl, await setUpStation(server.baseUrl), serviceVds);
    const tokenId = device.tokenId!;
    const initiate = async () => {
      const response = await fetch(`${server.baseUrl}/auth/initiate`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`receipts:${serviceSecret}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ tokenId, serviceId: 'receipts', scopes: ['identity:name', 'identity:age_over_18'] }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { sessionId: string; autoPassword: string };
    };
    const verify = (session: { sessionId: string }, otp: string, grantedScopes: string[]) => {
      const timestamp = device.unixNow();
      const text = `${session.sessionId}|${otp}|${timestamp}|${[...grantedScopes].sort().join(',')}`;
      return fetch(`${server.baseUrl}/auth/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          sessionId: session.sessionId,
          tokenId,
          otp,
          timestamp,
          grantedScopes,
          signatureBase64: device.signText(text),
        }),
      });
    };

    const approvedSession = await initiate();
    const wrong = String((Number(approvedSession.autoPassword) + 1) % 1_000_000).padStart(6, '0');
    expect((await verify(approvedSession, wrong, ['identity:name'])).status).toBe(401);
    expect((await verify(approvedSession, approvedSession.autoPassword, ['identity:name'])).status).toBe(200);
    const deniedSession = await initiate();
    await device.client.post('/auth/deny', device.signedRequest('deny', { sessionId: deniedSession.sessionId }));
    expect((await admin('/revoke', { method: 'POST', body: { tokenId, reason: 'lost_device' } })).status).toBe(200);

    const events = (await page(`subject=${tokenId}`)).events.reverse();
    expect(events.map((event) => event.type)).toEqual([
      'credential.issued',
      'enrollment.created',
      'service.trusted',
      'session.check_failed',
      'session.approved',
      'session.denied',
      'enrollment.revoked',
    ]);
    const [, , , failed, approved, denied, revoked] = events;
    expect(failed).toMatchObject({
      actor: `device:${device.publicKey.keyId}`,
      data: { sessionId: approvedSession.sessionId, serviceId: 'receipts', code: 'invalid_otp', failures: 1 },
    });
    expect(denied!.data).toMatchObject({ sessionId: deniedSession.sessionId, reason: 'denied' });
    expect(revoked).toMatchObject({ actor: 'admin:bootstrap', data: { reason: 'lost_device' } });
    expect(JSON.stringify(events)).not.toContain(approvedSession.autoPassword);
    expect(JSON.stringify(events)).not.toContain(`"${wrong}"`);

    // The consent receipt proves the approval on its own: with MASTER, the OTP is derived again from the receipt's
    // sessionId and random, and the device's signature over what it approved verifies with its enrolled key.
    const receipt = approved!.data as {
      sessionId: string;
      serviceId: string;
      random: string;
      grantedScopes: string[];
      requestedScopes: string[];
      deviceSignatureDer: string;
      deviceTimestamp: number;
      jti: string;
    };
    expect(receipt).toMatchObject({
      sessionId: approvedSession.sessionId,
      serviceId: 'receipts',
      grantedScopes: ['identity:name'],
      requestedScopes: ['identity:age_over_18', 'identity:name'],
      jti: expect.any(String),
    });
    const otp = deriveOtp(server.env.config.masterSecret, tokenId, receipt.sessionId, receipt.random);
    expect(otp).toBe(approvedSession.autoPassword);
    const signed = `${receipt.sessionId}|${otp}|${receipt.deviceTimestamp}|${receipt.grantedScopes.join(',')}`;
    const key = createPublicKey(device.publicKey.publicKeyPem);
    expect(verifySignature('sha256', Buffer.from(signed), key, Buffer.from(receipt.deviceSignatureDer, 'base64'))).toBe(
      true,
    );
  });
});
