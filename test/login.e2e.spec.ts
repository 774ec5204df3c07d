import { createHmac } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { io, type Socket } from 'socket.io-client';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DeviceLogin, type Device, type LoginRequest } from '../apps/device/src/index.js';
import { SessionLifecycle, SessionStore } from '#idtoken/sessions';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, newDevice, setUpStation } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

interface Started {
  sessionId: string;
  autoPassword?: string;
  qr?: string;
  wsToken: string;
  random: string;
  expiresAt: string;
}

const ISSUER = 'https://id.example';

/**
 * The whole X.1280 login over real HTTP and WebSockets (spec §6.1–§6.5, §7): relying party → server → phone
 * (device inbox and `/device` socket, as the simulator receives it) → browser socket, with the token checked as a
 * relying party would check it.
 */
describe('login (spec §6) end to end, with the device simulator', () => {
  let server: RunningApp;
  let station: Awaited<ReturnType<typeof setUpStation>>['station'];
  let csca: Awaited<ReturnType<typeof setUpStation>>['csca'];
  const secrets: Record<string, string> = {};
  const serviceVds: Record<string, string> = {};
  const sockets: Socket[] = [];
  const admin = { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}` };
  let lastIp = 0;
  const nextIp = () => {
    lastIp += 1;
    return `198.51.${Math.floor(lastIp / 250)}.${(lastIp % 250) + 1}`;
  };
  const http = () => request(server.baseUrl);

  const createService = async (serviceId: string, url: string) => {
    const created = await http()
      .post('/admin/services')
      .set(admin)
      .send({
        serviceId,
        name: `Service ${serviceId}`,
        url,
        allowedScopes: ['identity:basic', 'identity:age_over_18', 'identity:date_of_birth'],
        defaultScopes: ['identity:basic'],
      })
      .expect(201);
    secrets[serviceId] = created.body.serviceSecret;
    serviceVds[serviceId] = (await http().get(`/services/${serviceId}/vds`).expect(200)).body.serviceVds;
  };

  /** A phone holding a fresh credential, enrolled, trusting `shop`; `face` is its holder's live face. */
  const phone = async (): Promise<{ device: Device; login: DeviceLogin; face: Uint8Array }> => {
    const issued = await issueCredential(station, csca);
    const device = await newDevice(server.baseUrl);
    await device.receiveCredential(issued.vds);
    await device.enroll({ liveFaceTemplate: issued.face });
    await device.trustService(serviceVds.shop);
    return { device, login: new DeviceLogin(device, server.baseUrl, ISSUER), face: issued.face };
  };

  const initiate = (serviceId: string, body: Record<string, unknown>) =>
    http()
      .post('/auth/initiate')
      .set('x-forwarded-for', nextIp())
      .set('authorization', `Basic ${Buffer.from(`${serviceId}:${secrets[serviceId]}`).toString('base64')}`)
      .send(body);
  const started = async (serviceId: string, body: Record<string, unknown>): Promise<Started> =>
    (await initiate(serviceId, body).expect(200)).body as Started;

  const browser = (session: Started): Socket => {
    const socket = io(`${server.baseUrl}/session`, {
      transports: ['websocket'],
      auth: { sessionId: session.sessionId, wsToken: session.wsToken },
      extraHeaders: { origin: 'https://shop.example' },
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
  const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    for (let i = 0; i < 200; i += 1) {
      const value = await read();
      if (done(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('condition not met within 2 s');
  };
  const verifyToken = (jwt: string, audience: string) =>
    jwtVerify(jwt, createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`)), {
      issuer: ISSUER,
      audience,
      algorithms: ['ES256'],
    });
  const poll = async (session: Started) =>
    (
      await http()
        .get(`/auth/sessions/${session.sessionId}`)
        .set('authorization', `Bearer ${session.wsToken}`)
        .expect(200)
    ).body as { status: string; reason?: string; jwt?: string; hash?: string; random?: string };

  beforeAll(async () => {
    server = await startTestApp({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      ENROLL_RATE_LIMIT_PER_HOUR: '1000',
      TRUST_PROXY: 'true',
      ISSUER_URL: ISSUER,
    });
    ({ station, csca } = await setUpStation(server.baseUrl));
    await createService('shop', 'https://shop.example');
    await createService('bar', 'https://bar.example');
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(async () => server?.close());

  it('runs the full login: push to the phone, same OTP, a subset granted, approved JWT with exactly those claims', async () => {
    const { device, login, face } = await phone();
    const received: LoginRequest[] = [];
    const listener = await login.listen((request) => received.push(request));
    try {
      const session = await started('shop', { tokenId: device.tokenId, serviceVds: serviceVds.shop });
      const page = browser(session);
      const shown = await next<{ sessionId: string; otp: string }>(page, 'otp_ready');
      const approved = next<{ jwt: string; hash: string; random: string; expiresAt: string }>(page, 'approved');

      const request = await until(
        async () => received.find((r) => r.sessionId === session.sessionId),
        (r) => r !== undefined,
      );
      // The phone shows what the browser shows, and who asks (spec §6.3).
      expect(request).toEqual({
        sessionId: session.sessionId,
        otp: shown.otp,
        serviceId: 'shop',
        serviceName: 'Service shop',
        serviceUrl: 'https://shop.example',
        serviceVerified: true,
        scopes: ['identity:name', 'identity:trust_level'],
        expiresAt: session.expiresAt,
        via: 'push',
      });
      expect(shown.otp).toBe(session.autoPassword);

      await expect(
        login.approve(request!, { liveFaceTemplate: face, grantedScopes: ['identity:name'] }),
      ).resolves.toEqual({ status: 'approved', expiresAt: expect.any(String) });
      const result = await approved;
      expect(result.random).toBe(session.random);
      const hash = createHmac('sha256', Buffer.from(session.wsToken, 'base64url'))
        .update(`approved|${session.sessionId}|${session.random}|${result.jwt}`)
        .digest('base64url');
      expect(result.hash).toBe(hash);
      const { payload, protectedHeader } = await verifyToken(result.jwt, 'shop');
      expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'JWT' });
      // The relying party started with the tokenId, so it is the subject (spec §7); only the granted claims follow.
      expect(payload.sub).toBe(device.tokenId);
      expect(payload.scope).toBe('identity:name');
      expect(Object.keys(payload).sort()).toEqual(
        [
          'iss',
          'sub',
          'aud',
          'iat',
          'exp',
          'jti',
          'auth_time',
          'sid',
          'acr',
          'amr',
          'scope',
          'givenName',
          'familyName',
        ].sort(),
      );
      // Answered: the request leaves the phone's inbox.
      expect(await login.inbox()).toEqual([]);
    } finally {
      listener.close();
    }
  });

  it('keeps pending requests in the inbox for a phone that polls, and refuses the approval without the face', async () => {
    const { device, login } = await phone();
    const session = await started('shop', { tokenId: device.tokenId, serviceId: 'shop' });
    const [request] = await login.inbox();
    // Named by a bare serviceId but by an authenticated caller: the server vouches for it.
    expect(request).toMatchObject({ sessionId: session.sessionId, otp: session.autoPassword, serviceVerified: true });
    await expect(login.approve(request!, { liveFaceTemplate: new Uint8Array(64) })).rejects.toThrow(
      'does not match the credential',
    );
    expect((await poll(session)).status).toBe('pending');
  });

  it('ends the session when the phone denies it: the browser gets rejected {denied}', async () => {
    const { device, login } = await phone();
    const session = await started('shop', { tokenId: device.tokenId, serviceId: 'shop' });
    const page = browser(session);
    await next(page, 'otp_ready');
    const rejected = next<{ reason: string }>(page, 'rejected');
    await expect(login.deny(session.sessionId)).resolves.toEqual({ status: 'rejected', reason: 'denied' });
    expect(await rejected).toEqual({ sessionId: session.sessionId, reason: 'denied' });
    expect(await login.inbox()).toEqual([]);
  });

  it('refuses a /device handshake that is unsigned, signed wrongly, or replayed', async () => {
    const { device } = await phone();
    const refusal = (auth: Record<string, unknown>) =>
      new Promise<string>((resolve, reject) => {
        const socket = io(`${server.baseUrl}/device`, {
          transports: ['websocket'],
          auth,
          reconnection: false,
          forceNew: true,
        });
        sockets.push(socket);
        socket.once('connect_error', (error: Error) => resolve(error.message));
        socket.once('connect', () => reject(new Error('connected')));
      });
    expect(await refusal({})).toBe('invalid_request');
    const signed = device.signedEnvelope('inbox', {});
    // Signed for another action: never valid for this one (spec §5.1).
    expect(
      await refusal({ ...signed, signatureBase64: device.signedEnvelope('list-services', {}).signatureBase64 }),
    ).toBe('invalid_signature');
    const accepted = device.signedEnvelope('inbox', {}, device.unixNow() - 1);
    const first = io(`${server.baseUrl}/device`, {
      transports: ['websocket'],
      auth: accepted,
      reconnection: false,
      forceNew: true,
    });
    sockets.push(first);
    await new Promise<void>((resolve) => first.once('connect', () => resolve()));
    expect(await refusal(accepted)).toBe('replayed_request');
    expect(await refusal(device.signedEnvelope('inbox', {}, device.unixNow() - 31))).toBe('stale_timestamp');
  });

  it('ends pending sessions when the enrollment is revoked: browser rejected {revoked}, phone socket closed', async () => {
    const { device, login } = await phone();
    const listener = await login.listen(() => undefined);
    const disconnected = new Promise<string>((resolve) => listener.socket.once('disconnect', resolve));
    const session = await started('shop', { tokenId: device.tokenId, serviceId: 'shop' });
    const page = browser(session);
    await next(page, 'otp_ready');
    const rejected = next<{ reason: string }>(page, 'rejected');
    await http().post('/revoke').set(admin).send({ tokenId: device.tokenId, reason: 'lost_device' }).expect(200);
    expect(await rejected).toEqual({ sessionId: session.sessionId, reason: 'revoked' });
    expect(await disconnected).toBe('io server disconnect');
    expect(await poll(session)).toEqual({ status: 'rejected', reason: 'revoked' });
  });

  it('limits session starts per tokenId (5 a minute by default, from any IP): 429 rate_limited with Retry-After', async () => {
    const { device, login } = await phone();
    for (let i = 0; i < 5; i += 1) await started('shop', { tokenId: device.tokenId, serviceId: 'shop' });
    const refused = await initiate('shop', { tokenId: device.tokenId, serviceId: 'shop' }).expect(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The phone got five requests, no more.
    expect(await login.inbox()).toHaveLength(5);
  });

  it('runs a claims-only session: no tokenId sent, only ageOver18 back, a pairwise sub different per service', async () => {
    const { device, login, face } = await phone();
    const subjects: string[] = [];
    for (const serviceId of ['shop', 'bar']) {
      const session = await started(serviceId, { serviceVds: serviceVds[serviceId], scopes: ['identity:age_over_18'] });
      expect(session.autoPassword).toBeUndefined();
      // The phone scans the QR: it checks the Service VDS itself and shows the verified service.
      const request = await login.scanQr(session.qr!);
      expect(request).toMatchObject({ serviceId, serviceVerified: true, scopes: ['identity:age_over_18'], via: 'qr' });
      await login.approve(request, { liveFaceTemplate: face });
      const result = await until(
        () => poll(session),
        (answer) => answer.status !== 'pending',
      );
      const { payload } = await verifyToken(result.jwt!, serviceId);
      expect(payload.ageOver18).toBe(true);
      expect(payload.sub).not.toBe(device.tokenId);
      expect(Object.keys(payload).filter((claim) => /^[a-z]+[A-Z]/.test(claim) && claim !== 'auth_time')).toEqual([
        'ageOver18',
      ]);
      subjects.push(payload.sub!);
    }
    expect(subjects[0]).not.toBe(subjects[1]);
  });

  it('writes the expiry of an unanswered session to the audit trail exactly once, whichever node sweeps', async () => {
    const { device } = await phone();
    const session = await started('shop', { tokenId: device.tokenId, serviceId: 'shop' });
    const record = (await server.app.get(SessionStore).readSession(session.sessionId))!;
    const lifecycle = server.app.get(SessionLifecycle);
    const sweeps = await Promise.all([lifecycle.sweepExpired(record), lifecycle.sweepExpired(record)]);
    expect(sweeps.sort()).toEqual([false, true]);
    const rows = await server.app
      .get(DataSource)
      .query(`SELECT type, data FROM audit_events WHERE type = 'session.expired' AND data->>'sessionId' = $1`, [
        session.sessionId,
      ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].data).toMatchObject({
      serviceId: 'shop',
      requestedScopes: ['identity:name', 'identity:trust_level'],
    });
    expect(JSON.stringify(rows[0].data)).not.toContain(session.autoPassword!);
  });

  it('counts what happened in Prometheus figures, with no tokenId, sessionId or OTP in them', async () => {
    const text = (await http().get('/metrics').expect(200)).text;
    const value = (series: string) =>
      Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    // The tests above: one approval with a tokenId, two claims-only approvals, a denial, a revocation, an expiry.
    expect(value('idtoken_logins_total{outcome="approved"}')).toBeGreaterThanOrEqual(3);
    expect(value('idtoken_logins_total{outcome="denied"}')).toBeGreaterThanOrEqual(1);
    expect(value('idtoken_logins_total{outcome="revoked"}')).toBeGreaterThanOrEqual(1);
    expect(value('idtoken_logins_total{outcome="expired"}')).toBeGreaterThanOrEqual(1);
    expect(value('idtoken_sessions_started_total{mode="claims_only"}')).toBe(2);
    expect(value('idtoken_push_total{channel="inbox",outcome="sent"}')).toBeGreaterThanOrEqual(5);
    expect(value('idtoken_verify_duration_seconds_count{result="approved"}')).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/^idtoken_socket_connections\{namespace="session"\} \d+$/m);
    // No identifier of a person or a session in any label.
    expect(text).not.toMatch(/sess_[\w-]{22}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });
});
