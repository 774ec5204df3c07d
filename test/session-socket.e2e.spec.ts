import { createHmac, randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import request from 'supertest';
import type { Device } from '../apps/device/src/index.js';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, newDevice, setUpStation } from './support/credentials.js';
import { createTestEnvironment, servicesUnderTest } from './support/test-env.js';
import { startTestApp, type RunningApp } from './support/test-app.js';
import { createIdpApp } from '../apps/idp/src/create-app.js';
import { pino } from 'pino';
import { jest } from '@jest/globals';
import { EphemeralStore } from '#idtoken/platform';
import { SESSION_EVENTS_CHANNEL, SessionStore } from '#idtoken/sessions';

interface Started {
  sessionId: string;
  autoPassword: string;
  wsToken: string;
  random: string;
  expiresAt: string;
}

/** spec §6.4: the browser channel — socket.io namespace `/session` over real WebSockets. */
describe('browser channel (spec §6.4) end to end', () => {
  let server: RunningApp;
  let device: Device;
  let secret: string;
  const sockets: Socket[] = [];

  const admin = { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}` };
  let lastIp = 0;
  const nextIp = () => {
    lastIp += 1;
    return `198.51.${Math.floor(lastIp / 250)}.${(lastIp % 250) + 1}`;
  };
  // One master secret for node A and, in the Redis test, node B.
  const masterSecret = randomUUID().replaceAll('-', '') + randomUUID().replaceAll('-', '');

  const started = async (baseUrl = server.baseUrl): Promise<Started> =>
    (
      await request(baseUrl)
        .post('/auth/initiate')
        .set('x-forwarded-for', nextIp())
        .set('authorization', `Basic ${Buffer.from(`shop:${secret}`).toString('base64')}`)
        .send({ tokenId: device.tokenId, serviceId: 'shop' })
        .expect(200)
    ).body as Started;

  const verifyBody = (session: Started) => {
    const timestamp = device.unixNow();
    const grantedScopes = ['identity:name'];
    return {
      sessionId: session.sessionId,
      tokenId: device.tokenId!,
      otp: session.autoPassword,
      timestamp,
      grantedScopes,
      signatureBase64: device.signText(`${session.sessionId}|${session.autoPassword}|${timestamp}|identity:name`),
    };
  };

  const connect = (
    session: { sessionId: string; wsToken: string },
    origin: string | undefined = 'https://shop.example',
    baseUrl = server.baseUrl,
  ): Socket => {
    const socket = io(`${baseUrl}/session`, {
      transports: ['websocket'],
      auth: { sessionId: session.sessionId, wsToken: session.wsToken },
      extraHeaders: origin ? { origin } : {},
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    return socket;
  };
  const next = <T>(socket: Socket, event: string): Promise<T> =>
    new Promise((resolve, reject) => {
      socket.once(event, (payload: T) => resolve(payload));
      socket.once('connect_error', (error: Error) => reject(error));
    });
  const refusal = (socket: Socket): Promise<string> =>
    new Promise((resolve, reject) => {
      socket.once('connect_error', (error: Error) => resolve(error.message));
      socket.once('connect', () => reject(new Error('connected')));
    });
  const waitFor = async (condition: () => boolean): Promise<void> => {
    for (let waited = 0; !condition(); waited += 10) {
      if (waited > 5_000) throw new Error('condition not met within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const expectedHash = (session: Started, jwt: string) =>
    createHmac('sha256', Buffer.from(session.wsToken, 'base64url'))
      .update(`approved|${session.sessionId}|${session.random}|${jwt}`)
      .digest('base64url');

  beforeAll(async () => {
    server = await startTestApp({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      ENROLL_RATE_LIMIT_PER_HOUR: '1000',
      // Many sessions for one holder here; the per-tokenId start limit has its own test (device-inbox).
      INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000',
      TRUST_PROXY: 'true',
      ISSUER_URL: 'https://id.example',
      IDTOKEN_MASTER_SECRET: masterSecret,
    });
    const { station, csca } = await setUpStation(server.baseUrl);
    secret = (
      await request(server.baseUrl)
        .post('/admin/services')
        .set(admin)
        .send({
          serviceId: 'shop',
          name: 'Demo Shop',
          url: 'https://shop.example',
          allowedScopes: ['identity:basic'],
          defaultScopes: ['identity:name'],
        })
        .expect(201)
    ).body.serviceSecret;
    await request(server.baseUrl)
      .post('/admin/services')
      .set(admin)
      .send({
        serviceId: 'other',
        name: 'Other',
        url: 'https://other.example',
        allowedScopes: ['identity:basic'],
        defaultScopes: ['identity:name'],
      })
      .expect(201);
    const serviceVds = (await request(server.baseUrl).get('/services/shop/vds').expect(200)).body.serviceVds;
    const issued = await issueCredential(station, csca);
    device = await newDevice(server.baseUrl);
    await device.receiveCredential(issued.vds);
    await device.enroll({ liveFaceTemplate: issued.face });
    await device.trustService(serviceVds);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });

  it('sends otp_ready with the autoPassword, then approved with a hash the relying party recomputes', async () => {
    const session = await started();
    const socket = connect(session);
    const otpReady = await next<{ sessionId: string; otp: string; expiresAt: string }>(socket, 'otp_ready');
    expect(otpReady).toEqual({ sessionId: session.sessionId, otp: session.autoPassword, expiresAt: session.expiresAt });

    const approved = next<Record<string, string>>(socket, 'approved');
    await request(server.baseUrl).post('/auth/verify').send(verifyBody(session)).expect(200);
    const event = await approved;
    expect(event).toEqual({
      sessionId: session.sessionId,
      jwt: expect.any(String),
      hash: expectedHash(session, event.jwt),
      random: session.random,
      expiresAt: expect.any(String),
    });
  });

  it('sends approved at once to a browser that connects after the approval', async () => {
    const session = await started();
    const verified = await request(server.baseUrl).post('/auth/verify').send(verifyBody(session)).expect(200);
    const event = await next<Record<string, string>>(connect(session, 'https://id.example'), 'approved');
    expect(event).toMatchObject({ sessionId: session.sessionId, random: session.random });
    expect(event.hash).toBe(expectedHash(session, event.jwt));
    expect(event.expiresAt).toBe(verified.body.expiresAt);
  });

  it('sends approved to a browser whose handshake was reading the pending session when the approval went out', async () => {
    const session = await started();
    const sessions = server.app.get(SessionStore);
    const store = server.app.get(EphemeralStore);
    // Resolves once the approval has passed this node's subscription (the gateway's handler was registered first).
    let published!: () => void;
    const approvalSeen = new Promise<void>((resolve) => (published = resolve));
    const unsubscribe = await store.subscribe(SESSION_EVENTS_CHANNEL, (message) => {
      if ((JSON.parse(message) as { sessionId: string }).sessionId === session.sessionId) published();
    });
    // The handshake's read of the session answers "pending", but only after the approval was published: the event
    // must not fall between what the handshake read and the socket's joining.
    const readSession = sessions.readSession.bind(sessions);
    const spy = jest.spyOn(sessions, 'readSession').mockImplementationOnce(async (sessionId) => {
      const pending = await readSession(sessionId);
      await approvalSeen;
      return pending;
    });
    try {
      const socket = connect(session);
      const otpReady = jest.fn();
      socket.on('otp_ready', otpReady);
      const approved = next<Record<string, string>>(socket, 'approved');
      await waitFor(() => spy.mock.calls.length === 1);
      await request(server.baseUrl).post('/auth/verify').send(verifyBody(session)).expect(200);
      const event = await approved;
      expect(event.hash).toBe(expectedHash(session, event.jwt));
      // The session had ended by the time the socket joined: its code is not shown any more.
      expect(otpReady).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      await unsubscribe();
    }
  });

  it('closes a socket whose session ended while the store could not be read, so the browser polls instead', async () => {
    const store = server.app.get(EphemeralStore);
    const sessions = server.app.get(SessionStore);
    // A session past its 60 s whose end nobody recorded: only its ticket and its service are left.
    const sessionId = `sess_${randomUUID().replaceAll('-', '').slice(0, 22)}`;
    const wsToken = Buffer.alloc(32, 7).toString('base64url');
    const expiresAt = Math.floor(Date.now() / 1000) - 1;
    await store.put(`session-ticket:${sessionId}`, JSON.stringify({ wsToken, expiresAt }), 60_000);
    await store.put(`session-service:${sessionId}`, JSON.stringify({ serviceId: 'shop', browserOnly: false }), 60_000);
    const readResult = sessions.readResult.bind(sessions);
    let reads = 0;
    // The handshake's read works; the expiry's read, at once (the session has expired), finds the store gone.
    const spy = jest.spyOn(sessions, 'readResult').mockImplementation(async (id) => {
      if (id === sessionId && ++reads === 2) throw new Error('store unavailable');
      return readResult(id);
    });
    try {
      const socket = connect({ sessionId, wsToken });
      const expired = jest.fn();
      socket.on('expired', expired);
      const reason = await new Promise<string>((resolve) => socket.once('disconnect', resolve));
      expect(reason).toBe('io server disconnect');
      expect(expired).not.toHaveBeenCalled();
      expect(reads).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('sends rejected {reason: denied} when the holder denies', async () => {
    const session = await started();
    const socket = connect(session, undefined);
    await next(socket, 'otp_ready');
    const rejected = next(socket, 'rejected');
    await request(server.baseUrl)
      .post('/auth/deny')
      .send(device.signedRequest('deny', { sessionId: session.sessionId }))
      .expect(200);
    expect(await rejected).toEqual({ sessionId: session.sessionId, reason: 'denied' });
  });

  it('sends rejected {reason: too_many_attempts} after the third wrong OTP', async () => {
    const session = await started();
    const socket = connect(session, undefined);
    await next(socket, 'otp_ready');
    const rejected = next(socket, 'rejected');
    const wrongOtp = String((Number(session.autoPassword) + 1) % 1_000_000).padStart(6, '0');
    for (const status of [401, 401, 429]) {
      const timestamp = device.unixNow();
      await request(server.baseUrl)
        .post('/auth/verify')
        .send({
          ...verifyBody(session),
          otp: wrongOtp,
          timestamp,
          signatureBase64: device.signText(`${session.sessionId}|${wrongOtp}|${timestamp}|identity:name`),
        })
        .expect(status);
    }
    expect(await rejected).toEqual({ sessionId: session.sessionId, reason: 'too_many_attempts' });
  });

  it('refuses a wrong wsToken and an unknown session (connect_error)', async () => {
    const session = await started();
    const other = await started();
    expect(await refusal(connect({ sessionId: session.sessionId, wsToken: other.wsToken }))).toBe('session_not_found');
    expect(await refusal(connect({ sessionId: 'sess_AAAAAAAAAAAAAAAAAAAAAA', wsToken: other.wsToken }))).toBe(
      'session_not_found',
    );
  });

  it('refuses a foreign Origin at the handshake, and another service’s origin for this session', async () => {
    const session = await started();
    expect(await refusal(connect(session, 'https://evil.example'))).toMatch(/origin|websocket error/i);
    expect(await refusal(connect(session, 'https://other.example'))).toBe('origin_not_allowed');
  });

  it('lets only the service’s own origin watch a session started without authentication (publicInitiate)', async () => {
    await request(server.baseUrl)
      .post('/admin/services')
      .set(admin)
      .send({
        serviceId: 'kiosk',
        name: 'Kiosk',
        url: 'https://kiosk.example',
        allowedScopes: ['identity:basic'],
        defaultScopes: ['identity:name'],
        requireTrust: false,
        publicInitiate: true,
      })
      .expect(201);
    const session = (
      await request(server.baseUrl)
        .post('/auth/initiate')
        .set('x-forwarded-for', nextIp())
        .send({ tokenId: device.tokenId, serviceId: 'kiosk' })
        .expect(200)
    ).body as Started;
    // No Origin (not a browser) and the issuer's own origin are fine for authenticated sessions, not for this one.
    expect(await refusal(connect(session, undefined))).toBe('origin_not_allowed');
    expect(await refusal(connect(session, 'https://id.example'))).toBe('origin_not_allowed');
    expect(await refusal(connect(session, 'https://shop.example'))).toBe('origin_not_allowed');
    const shown = await next<{ otp: string }>(connect(session, 'https://kiosk.example'), 'otp_ready');
    expect(shown.otp).toBe(session.autoPassword);
    // An authenticated session still accepts a socket without Origin (a relying party's backend).
    const authenticated = await started();
    expect((await next<{ otp: string }>(connect(authenticated, undefined), 'otp_ready')).otp).toBe(
      authenticated.autoPassword,
    );
  });

  const withRedis = servicesUnderTest.redisUrl && servicesUnderTest.databaseUrl ? it : it.skip;
  withRedis('delivers approved to a browser on node A when node B verifies (shared Redis and database)', async () => {
    const config = server.env.config;
    const envB = await createTestEnvironment({
      DATABASE_URL: config.databaseUrl,
      REDIS_PREFIX: config.redisPrefix,
      IDTOKEN_MASTER_SECRET: masterSecret,
      TRUST_PROXY: 'true',
      ISSUER_URL: 'https://id.example',
    });
    const appB = await createIdpApp(envB.config, pino({ level: 'silent' }));
    await appB.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = appB.getHttpServer().address();
      const baseUrlB = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const session = await started();
      const socket = connect(session);
      await next(socket, 'otp_ready');
      const approved = next<Record<string, string>>(socket, 'approved');
      await request(baseUrlB).post('/auth/verify').send(verifyBody(session)).expect(200);
      const event = await approved;
      expect(event.hash).toBe(expectedHash(session, event.jwt));
    } finally {
      await appB.close();
      await envB.dispose();
    }
  });
});
