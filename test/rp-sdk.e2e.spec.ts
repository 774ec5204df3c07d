import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { Server as SocketIoServer, type Socket as ServerSocket } from 'socket.io';
import request from 'supertest';
import type { Device } from '../apps/device/src/index.js';
import {
  IdTokenError,
  initiateLogin,
  SessionVerificationError,
  watchSession,
  type FetchLike,
  type InitiateAnswer,
  type WatchSessionOptions,
} from '#idtoken/rp-sdk';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, newDevice, setUpStation } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

/**
 * A stand-in for the server's `/session` namespace, to hand the SDK approvals the real server never sent. WebSocket
 * only: engine.io's polling transport would keep a 30 s close timer running after the test.
 */
async function fakeSessionChannel(onConnection: (socket: ServerSocket) => void) {
  const http = createServer();
  const io = new SocketIoServer(http, { transports: ['websocket'] });
  io.of('/session').on('connection', onConnection);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  };
}

/** A loopback port nobody listens on. */
async function closedPortUrl(): Promise<string> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  await new Promise<void>((resolve) => http.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The relying-party SDK (spec §6.1, §6.4, §7) against a real server, real sockets and a real device. */
describe('relying-party SDK end to end', () => {
  let server: RunningApp;
  let device: Device;
  let secret: string;

  // spec §6.1 limits initiates per client IP: each initiate comes from an address of its own (TRUST_PROXY).
  let lastIp = 0;
  const fromNewIp: FetchLike = (url, init) => {
    lastIp += 1;
    const ip = `198.51.${Math.floor(lastIp / 250)}.${(lastIp % 250) + 1}`;
    return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': ip } });
  };
  const login = (options: { scopes?: string[]; tokenId?: string | null; secret?: string } = {}) =>
    initiateLogin({
      baseUrl: server.baseUrl,
      serviceId: 'shop',
      secret: options.secret ?? secret,
      ...(options.tokenId === null ? {} : { tokenId: options.tokenId ?? device.tokenId! }),
      ...(options.scopes ? { scopes: options.scopes } : {}),
      fetch: fromNewIp,
    });
  const watch = (session: InitiateAnswer, options: Partial<WatchSessionOptions> = {}) =>
    watchSession({
      baseUrl: server.baseUrl,
      sessionId: session.sessionId,
      wsToken: session.wsToken,
      random: session.random,
      issuer: server.env.config.issuerUrl,
      audience: 'shop',
      pollIntervalMs: 50,
      ...options,
    });
  /** spec §6.2: the device signs `sessionId|otp|timestamp|sorted scopes joined with ","`. */
  const approve = async (sessionId: string, otp: string, grantedScopes: string[] = ['identity:name']) => {
    const timestamp = device.unixNow();
    await request(server.baseUrl)
      .post('/auth/verify')
      .send({
        sessionId,
        tokenId: device.tokenId,
        otp,
        timestamp,
        grantedScopes,
        signatureBase64: device.signText(`${sessionId}|${otp}|${timestamp}|${[...grantedScopes].sort().join(',')}`),
      })
      .expect(200);
  };
  /** Records the polling reads (spec §6.4 fallback) that go through it. */
  const pollRecorder = () => {
    const polled: string[] = [];
    const recordingFetch: FetchLike = (url, init) => {
      if (url.includes('/auth/sessions/')) polled.push(url);
      return fetch(url, init);
    };
    return { polled, fetch: recordingFetch };
  };
  const expectedClaims = (session: InitiateAnswer) => ({
    iss: server.env.config.issuerUrl,
    sub: device.tokenId,
    aud: 'shop',
    iat: expect.any(Number),
    exp: expect.any(Number),
    jti: expect.any(String),
    auth_time: expect.any(Number),
    sid: session.sessionId,
    acr: expect.stringMatching(/^http:\/\/eidas\.europa\.eu\/LoA\/(substantial|high)$/),
    amr: ['face', 'hwk', 'mfa'],
    scope: 'identity:name',
    givenName: expect.any(String),
    familyName: expect.any(String),
  });

  beforeAll(async () => {
    server = await startTestApp({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      ENROLL_RATE_LIMIT_PER_HOUR: '1000',
      INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000',
      TRUST_PROXY: 'true',
    });
    const { station, csca } = await setUpStation(server.baseUrl);
    secret = (
      await request(server.baseUrl)
        .post('/admin/services')
        .set('authorization', `Bearer ${BOOTSTRAP_ADMIN_KEY}`)
        .send({
          serviceId: 'shop',
          name: 'Demo Shop',
          url: 'https://shop.example',
          allowedScopes: ['identity:basic', 'identity:age_over_18'],
          defaultScopes: ['identity:name'],
        })
        .expect(201)
    ).body.serviceSecret;
    const serviceVds = (await request(server.baseUrl).get('/services/shop/vds').expect(200)).body.serviceVds;
    const issued = await issueCredential(station, csca);
    device = await newDevice(server.baseUrl);
    await device.receiveCredential(issued.vds);
    await device.enroll({ liveFaceTemplate: issued.face });
    await device.trustService(serviceVds);
  });
  afterAll(async () => server?.close());

  it('logs in over the socket: otp_ready, the device grants a subset, approved with exactly the granted claims', async () => {
    const session = await login({ scopes: ['identity:basic'] });
    expect(session.autoPassword).toMatch(/^\d{6}$/);
    expect(session.qr).toBeUndefined();
    const { polled, fetch: recordingFetch } = pollRecorder();
    const approvals: Promise<void>[] = [];
    const outcome = await watch(session, {
      fetch: recordingFetch,
      onOtp: (otp) => {
        expect(otp).toBe(session.autoPassword);
        approvals.push(approve(session.sessionId, otp, ['identity:name']));
      },
    });
    await Promise.all(approvals);
    expect(approvals).toHaveLength(1);
    expect(polled).toEqual([]);
    expect(outcome.status).toBe('approved');
    if (outcome.status !== 'approved') return;
    expect(outcome.claims).toEqual(expectedClaims(session));
    expect(outcome.claims.trustLevel).toBeUndefined();
    expect(JSON.parse(Buffer.from(outcome.jwt.split('.')[1]!, 'base64url').toString('utf8'))).toEqual(outcome.claims);
  });

  it('falls back to polling when told not to use a socket, and still gets approved', async () => {
    const session = await login();
    const { polled, fetch: recordingFetch } = pollRecorder();
    const outcome = watch(session, { socket: false, fetch: recordingFetch });
    await approve(session.sessionId, session.autoPassword!);
    expect(await outcome).toMatchObject({ status: 'approved', claims: expectedClaims(session) });
    expect(polled[0]).toBe(`${server.baseUrl}/auth/sessions/${session.sessionId}`);
  });

  it('falls back to polling when the socket cannot connect (connect_error)', async () => {
    const session = await login();
    const { polled, fetch: recordingFetch } = pollRecorder();
    const outcome = watch(session, {
      socketUrl: await closedPortUrl(),
      transports: ['websocket'],
      fetch: recordingFetch,
    });
    await approve(session.sessionId, session.autoPassword!);
    expect(await outcome).toMatchObject({ status: 'approved', claims: expectedClaims(session) });
    expect(polled.length).toBeGreaterThan(0);
  });

  it('falls back to polling when the socket disconnects', async () => {
    const session = await login();
    const channel = await fakeSessionChannel((socket) => void socket.disconnect(true));
    try {
      const { polled, fetch: recordingFetch } = pollRecorder();
      const outcome = watch(session, { socketUrl: channel.url, transports: ['websocket'], fetch: recordingFetch });
      await approve(session.sessionId, session.autoPassword!);
      expect(await outcome).toMatchObject({ status: 'approved', claims: expectedClaims(session) });
      expect(polled.length).toBeGreaterThan(0);
    } finally {
      await channel.close();
    }
  });

  it('resolves {status: rejected, reason: denied} when the holder denies', async () => {
    const session = await login();
    const denials: Promise<unknown>[] = [];
    const outcome = await watch(session, {
      onOtp: () =>
        denials.push(
          request(server.baseUrl)
            .post('/auth/deny')
            .send(device.signedRequest('deny', { sessionId: session.sessionId }))
            .expect(200)
            .then(), // supertest sends on then()
        ),
    });
    await Promise.all(denials);
    expect(outcome).toEqual({ status: 'rejected', reason: 'denied' });
  });

  it('rejects with the abort reason and stops watching when the signal aborts', async () => {
    const session = await login();
    const controller = new AbortController();
    const left = new Error('the user left the page');
    const outcome = watch(session, { signal: controller.signal, onOtp: () => controller.abort(left) });
    await expect(outcome).rejects.toBe(left);
  });

  describe('refuses approvals the server did not send (spec §6.4 anti-forgery), each changing one thing', () => {
    let genuine: { session: InitiateAnswer; jwt: string; hash: string; random: string };
    let pending: InitiateAnswer;

    /** Watches `session` while a fake `/session` channel sends `approved` with this payload. */
    const watchForged = async (session: InitiateAnswer, payload: Record<string, unknown>) => {
      const channel = await fakeSessionChannel((socket) => {
        socket.emit('approved', { sessionId: session.sessionId, expiresAt: new Date().toISOString(), ...payload });
      });
      try {
        return await watch(session, { socketUrl: channel.url, transports: ['websocket'] });
      } finally {
        await channel.close();
      }
    };
    const hashFor = (session: InitiateAnswer, jwt: string, random = session.random) =>
      createHmac('sha256', Buffer.from(session.wsToken, 'base64url'))
        .update(`approved|${session.sessionId}|${random}|${jwt}`)
        .digest('base64url');
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => {
          throw new Error('resolved');
        },
        (error: unknown) => error,
      );

    beforeAll(async () => {
      const session = await login();
      await approve(session.sessionId, session.autoPassword!);
      const answer = (
        await request(server.baseUrl)
          .get(`/auth/sessions/${session.sessionId}`)
          .set('authorization', `Bearer ${session.wsToken}`)
          .expect(200)
      ).body as { jwt: string; hash: string; random: string };
      genuine = { session, jwt: answer.jwt, hash: answer.hash, random: answer.random };
      pending = await login();
    });

    it('accepts the genuine approval replayed through the fake channel (the control)', async () => {
      const { session, jwt, hash, random } = genuine;
      expect(await watchForged(session, { jwt, hash, random })).toMatchObject({ status: 'approved', jwt });
    });

    it('refuses a wrong hash (hash_mismatch)', async () => {
      const { session, jwt, random } = genuine;
      const error = await refusal(watchForged(session, { jwt, random, hash: hashFor(session, `${jwt}x`) }));
      expect(error).toBeInstanceOf(SessionVerificationError);
      expect(error).toMatchObject({ code: 'hash_mismatch' });
    });

    it('refuses a wrong random (random_mismatch)', async () => {
      const { session, jwt } = genuine;
      const random = 'f'.repeat(32);
      const error = await refusal(watchForged(session, { jwt, random, hash: hashFor(session, jwt, random) }));
      expect(error).toBeInstanceOf(SessionVerificationError);
      expect(error).toMatchObject({ code: 'random_mismatch' });
    });

    it('refuses a genuine JWT of another session, even with a hash that matches (sid_mismatch)', async () => {
      const { jwt } = genuine;
      const error = await refusal(watchForged(pending, { jwt, random: pending.random, hash: hashFor(pending, jwt) }));
      expect(error).toBeInstanceOf(SessionVerificationError);
      expect(error).toMatchObject({ code: 'sid_mismatch' });
    });

    it('refuses a JWT signed with a key outside the JWKS (invalid_jwt)', async () => {
      const { session } = genuine;
      const { privateKey } = await generateKeyPair('ES256');
      const jwt = await new SignJWT({ sid: session.sessionId })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'forged' })
        .setIssuer(server.env.config.issuerUrl)
        .setAudience('shop')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const error = await refusal(watchForged(session, { jwt, random: session.random, hash: hashFor(session, jwt) }));
      expect(error).toBeInstanceOf(SessionVerificationError);
      expect(error).toMatchObject({ code: 'invalid_jwt' });
    });
  });

  it('throws IdTokenError 401 service_unauthenticated for a wrong secret', async () => {
    const error = await login({ secret: `${secret}x` }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdTokenError);
    expect(error).toMatchObject({ status: 401, code: 'service_unauthenticated', title: expect.any(String) });
  });

  it('runs a claims-only login (spec §6.5): qr and no autoPassword, then approved with a pairwise sub', async () => {
    const session = await login({ tokenId: null, scopes: ['identity:age_over_18'] });
    expect(session.autoPassword).toBeUndefined();
    expect(session.qr).toMatch(/^IDTK1:[A-Za-z0-9_-]+$/);
    const qr = JSON.parse(Buffer.from(session.qr!.slice('IDTK1:'.length), 'base64url').toString('utf8')) as {
      otp: string;
    };
    const outcome = watch(session);
    await approve(session.sessionId, qr.otp, ['identity:age_over_18']);
    const result = await outcome;
    expect(result.status).toBe('approved');
    if (result.status !== 'approved') return;
    expect(result.claims.sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result.claims.sub).not.toBe(device.tokenId);
    expect(result.claims.ageOver18).toEqual(expect.any(Boolean));
  });
});
