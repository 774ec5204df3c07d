import request from 'supertest';
import { admin, servicesUnderTest } from './support/test-env.js';
import { startTestApp } from './support/test-app.js';

describe('readiness when a dependency goes away', () => {
  (servicesUnderTest.databaseUrl ? it : it.skip)(
    'turns 503 when the PostgreSQL database disappears, and keeps serving',
    async () => {
      const server = await startTestApp();
      try {
        await request(server.baseUrl).get('/health/ready').expect(200);
        const database = new URL(server.env.config.databaseUrl!).pathname.slice(1);
        await admin(servicesUnderTest.databaseUrl!, `DROP DATABASE "${database}" WITH (FORCE)`);

        const response = await request(server.baseUrl).get('/health/ready').expect(503);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({
          status: 503,
          code: 'service_unavailable',
          detail: 'Not ready: database is not answering',
          checks: { database: { status: 'down' }, ephemeralStore: { status: 'up' } },
        });
        await request(server.baseUrl).get('/health/live').expect(200);
      } finally {
        await server.close();
      }
    },
  );

  it('boots without Redis, reports 503 not ready, and stays live', async () => {
    const server = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const response = await request(server.baseUrl).get('/health/ready').expect(503);
      expect(response.body).toMatchObject({
        code: 'service_unavailable',
        checks: { database: { status: 'up' }, ephemeralStore: { status: 'down', kind: 'redis' } },
      });
      await request(server.baseUrl).get('/health/live').expect(200);
    } finally {
      await server.close();
    }
  });
});
