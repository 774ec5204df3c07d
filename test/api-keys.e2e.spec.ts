import request from 'supertest';
import { DataSource } from 'typeorm';
import { BOOTSTRAP_ADMIN_KEY } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

/** spec §9: API keys with roles — created by an admin, shown once, used, listed with their last use, revoked. */
describe('admin API keys', () => {
  let server: RunningApp;
  const http = () => request(server.baseUrl);
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    server = await startTestApp({ IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY });
  });
  afterAll(async () => server?.close());

  it('creates an operator key shown once, lists it with its last use and never its secret, and revokes it', async () => {
    const created = await http()
      .post('/admin/api-keys')
      .set(as(BOOTSTRAP_ADMIN_KEY))
      .send({ name: 'on-call operator', role: 'operator' })
      .expect(201);
    expect(created.body).toMatchObject({
      name: 'on-call operator',
      role: 'operator',
      apiKey: expect.stringMatching(/^idt_/),
    });
    const { id, apiKey } = created.body as { id: string; apiKey: string };

    // The operator may revoke an enrollment-level thing but not manage keys.
    await http().get('/admin/api-keys').set(as(apiKey)).expect(403);
    const listed = await http().get('/admin/api-keys').set(as(BOOTSTRAP_ADMIN_KEY)).expect(200);
    const row = (listed.body.keys as Record<string, unknown>[]).find((key) => key.id === id)!;
    expect(row).toMatchObject({ role: 'operator', lastUsedAt: expect.any(String), revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(apiKey);
    expect(Object.keys(row)).not.toContain('keyHash');

    const revoked = await http().delete(`/admin/api-keys/${id}`).set(as(BOOTSTRAP_ADMIN_KEY)).expect(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const refused = await http().get('/admin/api-keys').set(as(apiKey)).expect(401);
    expect(refused.body.code).toBe('unauthorized');
    // Revoking twice changes nothing; an unknown id is 404.
    expect((await http().delete(`/admin/api-keys/${id}`).set(as(BOOTSTRAP_ADMIN_KEY)).expect(200)).body.revokedAt).toBe(
      revoked.body.revokedAt,
    );
    await http()
      .delete('/admin/api-keys/00000000-0000-4000-8000-000000000000')
      .set(as(BOOTSTRAP_ADMIN_KEY))
      .expect(404);

    const events = await server.app
      .get(DataSource)
      .query(`SELECT type, actor FROM audit_events WHERE subject = $1 ORDER BY id`, [id]);
    expect(events).toEqual([
      { type: 'api_key.created', actor: 'admin:bootstrap' },
      { type: 'api_key.revoked', actor: 'admin:bootstrap' },
    ]);
  });

  it('refuses a station role here (stations bring their own key) and an empty name (400)', async () => {
    for (const body of [{ name: 'x', role: 'station' }, { name: ' ', role: 'admin' }, { role: 'admin' }]) {
      const response = await http().post('/admin/api-keys').set(as(BOOTSTRAP_ADMIN_KEY)).send(body).expect(400);
      expect(response.body.code).toBe('invalid_request');
    }
  });
});
