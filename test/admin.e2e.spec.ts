import request from 'supertest';
import { AuditTrail } from '#idtoken/audit';
import { startTestApp, type RunningApp } from './support/test-app.js';

const BOOTSTRAP = 'bootstrap-admin-key-for-tests-0123456789';

describe('admin authentication and stations (spec §9)', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startTestApp({ IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP });
  });
  afterAll(async () => server?.close());

  const createStation = (key: string | undefined, body: unknown = { name: 'Desk 1' }) => {
    const call = request(server.baseUrl)
      .post('/admin/stations')
      .send(body as object);
    return key === undefined ? call : call.set('authorization', `Bearer ${key}`);
  };

  it('registers a station with the bootstrap admin key and shows its key once', async () => {
    const response = await createStation(BOOTSTRAP).expect(201);
    expect(response.body).toEqual({
      stationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Desk 1',
      apiKey: expect.stringMatching(/^idt_[A-Za-z0-9_-]{43}$/),
      createdAt: expect.any(String),
    });
    const events = await server.app.get(AuditTrail).list({ type: 'station.created' });
    expect(events[0]).toMatchObject({
      actor: 'admin:bootstrap',
      subject: response.body.stationId,
      data: { name: 'Desk 1' },
    });
    expect(JSON.stringify(events)).not.toContain(response.body.apiKey);
  });

  it('answers 401 problem+json without a key, with an unknown key, or with a malformed header', async () => {
    for (const call of [
      createStation(undefined),
      createStation('idt_this-key-does-not-exist-anywhere'),
      request(server.baseUrl).post('/admin/stations').set('authorization', `Basic ${BOOTSTRAP}`).send({ name: 'x' }),
    ]) {
      const response = await call.expect(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.code).toBe('unauthorized');
    }
  });

  it('answers 403 when a station key calls an admin-only route', async () => {
    const station = await createStation(BOOTSTRAP, { name: 'Desk 2' }).expect(201);
    const response = await createStation(station.body.apiKey, { name: 'sneaky' }).expect(403);
    expect(response.body).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('admin') });
  });

  it('refuses a bad body with invalid_request naming the field, and writes nothing', async () => {
    const before = (await server.app.get(AuditTrail).list({ type: 'station.created' })).length;
    const response = await createStation(BOOTSTRAP, { name: '', extra: 1 }).expect(400);
    expect(response.body.code).toBe('invalid_request');
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['(root)', 'name']);
    expect((await server.app.get(AuditTrail).list({ type: 'station.created' })).length).toBe(before);
  });

  it('documents the admin routes and their bearer auth in OpenAPI', async () => {
    const document = await request(server.baseUrl).get('/docs/openapi.json').expect(200);
    expect(document.body.paths['/admin/stations'].post.security).toEqual([{ bearer: [] }]);
  });
});
