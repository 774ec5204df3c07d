import { pino } from 'pino';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '#idtoken/platform';
import { createIdpApp } from '../apps/idp/src/create-app.js';
import { BOOTSTRAP_ADMIN_KEY } from './support/credentials.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { createTestEnvironment, servicesUnderTest, type TestEnvironment } from './support/test-env.js';

const withServices = servicesUnderTest.databaseUrl && servicesUnderTest.redisUrl ? describe : describe.skip;
const QUICKLY_MS = 3_000;

/**
 * Graceful degradation (issue 8): PostgreSQL or Redis goes away under a running server (a TCP proxy in front of each
 * is stopped: refused connections, open ones reset) — no crash, readiness says which, a login start answers
 * 503 problem+json with Retry-After quickly; the dependency comes back on the same address — the server resumes
 * without a restart.
 */
withServices('graceful degradation: PostgreSQL or Redis down, then back', () => {
  let environment: TestEnvironment;
  let app: NestFastifyApplication;
  let baseUrl: string;
  let database: TcpProxy;
  let redis: TcpProxy;
  let secret: string;

  const timed = async (path: string, init?: RequestInit) => {
    const started = Date.now();
    const response = await fetch(`${baseUrl}${path}`, init);
    return { response, ms: Date.now() - started, body: (await response.json()) as Record<string, unknown> };
  };
  const initiate = () =>
    timed('/auth/initiate', {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`degraded:${secret}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ serviceId: 'degraded', tokenId: '00000000-0000-4000-8000-000000000001' }),
    });
  /** Polls readiness until it answers `status` (the server reconnects by itself). */
  const readyBecomes = async (status: number) => {
    for (let attempt = 0; attempt < 60; attempt += 1) {
      if ((await fetch(`${baseUrl}/health/ready`)).status === status) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`readiness never became ${status}`);
  };

  beforeAll(async () => {
    environment = await createTestEnvironment({ IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY });
    const base = environment.config;
    const databaseUrl = new URL(base.databaseUrl!);
    const redisUrl = new URL(base.redisUrl!);
    database = new TcpProxy({ host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) });
    redis = new TcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    databaseUrl.host = `127.0.0.1:${await database.start()}`;
    redisUrl.host = `127.0.0.1:${await redis.start()}`;
    const config = new AppConfig({ ...base, databaseUrl: databaseUrl.href, redisUrl: redisUrl.href });
    app = await createIdpApp(config, pino({ level: 'silent' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const created = await fetch(`${baseUrl}/admin/services`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        serviceId: 'degraded',
        name: 'Degraded',
        url: 'https://degraded.example',
        allowedScopes: ['identity:name'],
        defaultScopes: ['identity:name'],
        requireTrust: false,
      }),
    });
    expect(created.status).toBe(201);
    secret = ((await created.json()) as { serviceSecret: string }).serviceSecret;
  });
  afterAll(async () => {
    await app?.close();
    await database?.stop();
    await redis?.stop();
    await environment?.dispose();
  });

  it('answers normally while both are up', async () => {
    expect((await fetch(`${baseUrl}/health/ready`)).status).toBe(200);
    const { response } = await initiate();
    expect(response.status).toBeLessThan(500);
  });

  it.each([
    ['Redis', () => redis, 'ephemeralStore', 'ephemeral store'],
    ['PostgreSQL', () => database, 'database', 'database'],
  ])('%s down: 503 quickly and readiness names it; back: resumes without a restart', async (_, proxy, check, words) => {
    await proxy().stop();
    try {
      const ready = await timed('/health/ready');
      expect(ready.response.status).toBe(503);
      expect(ready.ms).toBeLessThan(QUICKLY_MS);
      expect(String(ready.body.detail)).toContain(check);

      const refused = await initiate();
      expect(refused.response.status).toBe(503);
      expect(refused.ms).toBeLessThan(QUICKLY_MS);
      expect(refused.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.response.headers.get('retry-after')).toBe('5');
      expect(refused.body).toMatchObject({ code: 'service_unavailable', detail: expect.stringContaining(words) });
      expect((await fetch(`${baseUrl}/health/live`)).status).toBe(200);
    } finally {
      await proxy().start();
    }
    await readyBecomes(200);
    const resumed = await initiate();
    expect(resumed.response.status).toBeLessThan(500);
  });
});
