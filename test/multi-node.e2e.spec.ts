import { setTimeout as delay } from 'node:timers/promises';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import { io } from 'socket.io-client';
import { createIdpApp } from '../apps/idp/src/create-app.js';
import { BOOTSTRAP_ADMIN_KEY, registerService } from './support/credentials.js';
import { createTestEnvironment, servicesUnderTest, type TestEnvironment } from './support/test-env.js';

const withServices = servicesUnderTest.databaseUrl && servicesUnderTest.redisUrl ? describe : describe.skip;
/** The other node hears of a change through Redis pub/sub: milliseconds, far below the snapshot's 30 s maximum age. */
const PROPAGATION_MS = 2_000;
const UNKNOWN_TOKEN = '00000000-0000-4000-8000-00000000abcd';

/**
 * Two server nodes on one PostgreSQL and one Redis (issue 10): each keeps the active services in memory
 * (ActiveServices), so a change made through one node's admin API must reach the other at once — a rotated secret
 * stops working there, a disabled service is refused there, a new service is known there.
 */
withServices('two nodes: service changes on one node hold on the other', () => {
  let environment: TestEnvironment;
  const nodes: { app: NestFastifyApplication; baseUrl: string }[] = [];
  const [a, b] = [0, 1];

  beforeAll(async () => {
    environment = await createTestEnvironment({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      // The checks below poll; the per-IP initiate limit (10 a minute) is not what they test.
      INITIATE_RATE_LIMIT_PER_MINUTE: '10000',
    });
    for (let i = 0; i < 2; i += 1) {
      const app = await createIdpApp(environment.config, pino({ level: 'silent' }));
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.getHttpServer().address();
      if (!address || typeof address === 'string') throw new Error('no TCP address');
      nodes.push({ app, baseUrl: `http://127.0.0.1:${address.port}` });
    }
  });

  afterAll(async () => {
    for (const node of nodes) await node.app.close();
    await environment?.dispose();
  });

  const url = (node: number, path: string) => `${nodes[node]?.baseUrl}${path}`;
  const initiate = async (node: number, serviceId: string, secret: string) => {
    const response = await fetch(url(node, '/auth/initiate'), {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${serviceId}:${secret}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ serviceId, tokenId: UNKNOWN_TOKEN }),
    });
    return { status: response.status, code: ((await response.json()) as { code?: string }).code };
  };
  // Past service authentication and the service check, a tokenId nobody enrolled answers 404 enrollment_not_found.
  const ACCEPTED = { status: 404, code: 'enrollment_not_found' };
  const UNAUTHENTICATED = { status: 401, code: 'service_unauthenticated' };
  const admin = (node: number, path: string, method: string) =>
    fetch(url(node, path), { method, headers: { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}` } });
  /** The first answer that is not `before`, polling for PROPAGATION_MS; what it was, and after how long. */
  const changedFrom = async (before: unknown, read: () => Promise<unknown>) => {
    const started = Date.now();
    for (;;) {
      const now = await read();
      if (JSON.stringify(now) !== JSON.stringify(before) || Date.now() - started > PROPAGATION_MS) {
        return { now, ms: Date.now() - started };
      }
      await delay(10);
    }
  };
  /** The handshake error a `/session` socket with this Origin and no session gets from a node. */
  const handshakeRefusal = (node: number, origin: string) =>
    new Promise<string>((resolve) => {
      const socket = io(url(node, '/session'), {
        transports: ['websocket'],
        auth: { sessionId: 'sess_none', wsToken: 'none' },
        extraHeaders: { origin },
        reconnection: false,
        forceNew: true,
      });
      socket.once('connect_error', (error: Error) => {
        socket.close();
        resolve(error.message);
      });
    });

  it('knows a service registered on the other node at once', async () => {
    const { serviceSecret } = await registerService(url(a, ''), {
      serviceId: 'fresh',
      allowedScopes: ['identity:name'],
    });
    expect(await initiate(b, 'fresh', serviceSecret)).toEqual(ACCEPTED);
  });

  it('refuses the old secret on the other node once it is rotated, and takes the new one', async () => {
    const { serviceSecret: old } = await registerService(url(a, ''), {
      serviceId: 'rotating',
      allowedScopes: ['identity:name'],
    });
    // Node b has the service in memory now.
    expect(await initiate(b, 'rotating', old)).toEqual(ACCEPTED);
    const rotated = await admin(a, '/admin/services/rotating/secret', 'POST');
    expect(rotated.status).toBe(201);
    const { serviceSecret: fresh } = (await rotated.json()) as { serviceSecret: string };
    expect(await initiate(a, 'rotating', old)).toEqual(UNAUTHENTICATED);
    const onB = await changedFrom(ACCEPTED, () => initiate(b, 'rotating', old));
    expect(onB.now).toEqual(UNAUTHENTICATED);
    expect(onB.ms).toBeLessThan(PROPAGATION_MS);
    expect(await initiate(b, 'rotating', fresh)).toEqual(ACCEPTED);
  });

  it('refuses a service disabled on the other node, and its origin at the socket handshake', async () => {
    const { serviceSecret } = await registerService(url(a, ''), {
      serviceId: 'leaving',
      allowedScopes: ['identity:name'],
    });
    expect(await initiate(b, 'leaving', serviceSecret)).toEqual(ACCEPTED);
    // Its origin passes the engine's check on b; only the (absent) session is refused.
    expect(await handshakeRefusal(b, 'https://leaving.example')).toBe('session_not_found');
    expect((await admin(a, '/admin/services/leaving', 'DELETE')).status).toBe(200);
    const onB = await changedFrom(ACCEPTED, () => initiate(b, 'leaving', serviceSecret));
    expect(onB.now).toEqual(UNAUTHENTICATED);
    expect(onB.ms).toBeLessThan(PROPAGATION_MS);
    expect(await handshakeRefusal(b, 'https://leaving.example')).not.toBe('session_not_found');
  });
});
