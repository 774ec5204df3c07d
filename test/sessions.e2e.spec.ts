import { createHmac, randomUUID } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import type { Device } from '../apps/device/src/index.js';
import { decodeVds } from '#idtoken/vds';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, newDevice, setUpStation } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

/** The REST core of the X.1280 login (spec §6.1, §6.2, §6.4 fallback, §6.5, §7) against a real server. */
describe('sessions (spec §6) end to end', () => {
  let server: RunningApp;
  let device: Device;
  let tokenId: string;
  let secret: string;
  let serviceVds: string;
  let station: Awaited<ReturnType<typeof setUpStation>>['station'];
  let csca: Awaited<ReturnType<typeof setUpStation>>['csca'];

  const admin = { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}` };
  const http = () => request(server.baseUrl);
  // spec §6.1 limits initiates per client IP: each test request comes from an address of its own (TRUST_PROXY).
  let lastIp = 0;
  const nextIp = () => {
    lastIp += 1;
    return `198.51.${Math.floor(lastIp / 250)}.${(lastIp % 250) + 1}`;
  };
  const basic = (serviceId: string, serviceSecret: string) =>
    `Basic ${Buffer.from(`${serviceId}:${serviceSecret}`).toString('base64')}`;

  const createService = async (serviceId: string, overrides: Record<string, unknown> = {}) =>
    (
      await http()
        .post('/admin/services')
        .set(admin)
        .send({
          serviceId,
          name: 'Demo Shop',
          url: 'https://shop.example',
          allowedScopes: ['identity:basic', 'identity:age_over_18'],
          defaultScopes: ['identity:name'],
          ...overrides,
        })
        .expect(201)
    ).body as { serviceSecret?: string };

  const initiate = (body: Record<string, unknown>, authorization: string | null = basic('shop', secret)) => {
    const call = http().post('/auth/initiate').set('x-forwarded-for', nextIp());
    return (authorization ? call.set('authorization', authorization) : call).send(body);
  };
  const started = async (body: Record<string, unknown> = {}) =>
    (await initiate({ tokenId, serviceId: 'shop', ...body }).expect(200)).body as {
      sessionId: string;
      autoPassword: string;
      wsToken: string;
      random: string;
      expiresAt: string;
    };

  /** spec §6.2: the device signs `sessionId|otp|timestamp|sorted scopes joined with ","`. */
  const verifyBody = (
    session: { sessionId: string; autoPassword: string },
    change: Partial<{ otp: string; timestamp: number; grantedScopes: string[]; tokenId: string; sign: string }> = {},
    signer: Device = device,
  ) => {
    const otp = change.otp ?? session.autoPassword;
    const timestamp = change.timestamp ?? signer.unixNow();
    const grantedScopes = change.grantedScopes ?? ['identity:name'];
    const text = change.sign ?? `${session.sessionId}|${otp}|${timestamp}|${[...grantedScopes].sort().join(',')}`;
    return {
      sessionId: session.sessionId,
      tokenId: change.tokenId ?? signer.tokenId!,
      otp,
      timestamp,
      grantedScopes,
      signatureBase64: signer.signText(text),
    };
  };
  const verify = (body: object) => http().post('/auth/verify').send(body);
  const poll = (sessionId: string, wsToken: string) =>
    http().get(`/auth/sessions/${sessionId}`).set('authorization', `Bearer ${wsToken}`);
  const wrongOtp = (otp: string) => String((Number(otp) + 1) % 1_000_000).padStart(6, '0');

  /** An enrolled phone of its own, trusting `shop`. */
  const enrolledDevice = async (): Promise<Device> => {
    const issued = await issueCredential(station, csca);
    const phone = await newDevice(server.baseUrl);
    await phone.receiveCredential(issued.vds);
    await phone.enroll({ liveFaceTemplate: issued.face });
    await phone.trustService(serviceVds);
    return phone;
  };

  beforeAll(async () => {
    server = await startTestApp({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      ENROLL_RATE_LIMIT_PER_HOUR: '1000',
      // Many sessions for one holder here; the per-tokenId start limit has its own test (device-inbox).
      INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000',
      TRUST_PROXY: 'true',
    });
    ({ station, csca } = await setUpStation(server.baseUrl));
    secret = (await createService('shop')).serviceSecret!;
    serviceVds = (await http().get('/services/shop/vds').expect(200)).body.serviceVds;
    device = await enrolledDevice();
    tokenId = device.tokenId!;
  });
  afterAll(async () => server?.close());

  it('initiate → the device approves → the relying party polls, verifies the JWT against the JWKS, and the hash', async () => {
    const session = await started();
    expect(session.sessionId).toMatch(/^sess_[A-Za-z0-9_-]{22}$/);
    expect(session.autoPassword).toMatch(/^\d{6}$/);
    expect(session.random).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(session.expiresAt) - Date.now()).toBeGreaterThan(50_000);
    expect((await poll(session.sessionId, session.wsToken).expect(200)).body).toEqual({ status: 'pending' });

    const approved = await verify(verifyBody(session)).expect(200);
    expect(approved.body).toEqual({ status: 'approved', expiresAt: expect.any(String) });

    const result = (await poll(session.sessionId, session.wsToken).expect(200)).body;
    expect(result).toMatchObject({ status: 'approved', random: session.random });
    const jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(result.jwt, jwks, {
      issuer: server.env.config.issuerUrl,
      audience: 'shop',
      algorithms: ['ES256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: expect.any(String) });
    expect(payload).toEqual({
      iss: server.env.config.issuerUrl,
      sub: tokenId,
      aud: 'shop',
      iat: expect.any(Number),
      exp: payload.iat! + 300,
      jti: expect.any(String),
      auth_time: payload.iat,
      sid: session.sessionId,
      acr: expect.stringMatching(/^http:\/\/eidas\.europa\.eu\/LoA\/(substantial|high)$/),
      amr: ['face', 'hwk', 'mfa'],
      scope: 'identity:name',
      givenName: expect.any(String),
      familyName: expect.any(String),
    });
    expect(new Date(payload.exp! * 1000).toISOString()).toBe(approved.body.expiresAt);
    // spec §6.4: the relying party recomputes the hash keyed by its decoded wsToken.
    const hash = createHmac('sha256', Buffer.from(session.wsToken, 'base64url'))
      .update(`approved|${session.sessionId}|${session.random}|${result.jwt}`)
      .digest('base64url');
    expect(result.hash).toBe(hash);
  });

  it('releases exactly the claims of the granted scopes when the holder grants less than was asked', async () => {
    const session = await started({ scopes: ['identity:basic'] });
    await verify(verifyBody(session, { grantedScopes: ['identity:name'] })).expect(200);
    const { jwt } = (await poll(session.sessionId, session.wsToken).expect(200)).body;
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims.scope).toBe('identity:name');
    expect(Object.keys(claims)).toEqual(expect.arrayContaining(['givenName', 'familyName']));
    expect(claims.trustLevel).toBeUndefined();
  });

  describe('initiate refusals (spec §6.1), each changing one thing', () => {
    it('refuses an initiate without credentials from a service that must authenticate (401)', async () => {
      const response = await initiate({ tokenId, serviceId: 'shop' }, null).expect(401);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.code).toBe('service_unauthenticated');
    });

    it('refuses a wrong secret (401 service_unauthenticated)', async () => {
      const response = await initiate({ tokenId, serviceId: 'shop' }, basic('shop', `${secret}x`)).expect(401);
      expect(response.body.code).toBe('service_unauthenticated');
    });

    it('refuses both serviceVds and serviceId (400 invalid_request)', async () => {
      const response = await initiate({ tokenId, serviceId: 'shop', serviceVds }).expect(400);
      expect(response.body.code).toBe('invalid_request');
    });

    it('accepts the Service VDS instead of the serviceId', async () => {
      await initiate({ tokenId, serviceVds }).expect(200);
    });

    it('refuses a Service VDS it accepted before, once an admin revokes it (422 vds_revoked)', async () => {
      const ownSecret = (await createService('shop-leaked')).serviceSecret!;
      const leaked = (await http().get('/services/shop-leaked/vds').expect(200)).body.serviceVds as string;
      await device.trustService(leaked);
      const asLeaked = basic('shop-leaked', ownSecret);
      // Accepted twice: the second time from the node's cache of Service VDSs that passed (docs/performance.md).
      await initiate({ tokenId, serviceVds: leaked }, asLeaked).expect(200);
      await initiate({ tokenId, serviceVds: leaked }, asLeaked).expect(200);
      await http()
        .post('/admin/trust/revocations')
        .set(admin)
        .send({ fingerprint: decodeVds(leaked).fingerprint, reason: 'the relying party leaked its Service VDS' })
        .expect(201);
      const refused = await initiate({ tokenId, serviceVds: leaked }, asLeaked).expect(422);
      expect(refused.body.code).toBe('vds_revoked');
    });

    it('refuses an unknown tokenId (404 enrollment_not_found)', async () => {
      const response = await initiate({ tokenId: randomUUID(), serviceId: 'shop' }).expect(404);
      expect(response.body.code).toBe('enrollment_not_found');
    });

    it('refuses a service the holder does not trust (403 service_not_trusted)', async () => {
      const otherSecret = (await createService('untrusted-shop')).serviceSecret!;
      const response = await initiate(
        { tokenId, serviceId: 'untrusted-shop' },
        basic('untrusted-shop', otherSecret),
      ).expect(403);
      expect(response.body.code).toBe('service_not_trusted');
    });

    it('refuses scopes beyond allowedScopes (422 invalid_scope)', async () => {
      const response = await initiate({ tokenId, serviceId: 'shop', scopes: ['identity:full'] }).expect(422);
      expect(response.body.code).toBe('invalid_scope');
    });

    it('refuses a tokenId spelled in upper case (400), so limits and lockouts cannot be sidestepped', async () => {
      const response = await initiate({ tokenId: tokenId.toUpperCase(), serviceId: 'shop' }).expect(400);
      expect(response.body.code).toBe('invalid_request');
    });

    it('refuses unknown scopes, and composites outside allowedScopes (422 invalid_scope), never ignoring them', async () => {
      for (const scopes of [['identity:name', 'identity:shoe_size'], ['identity:full_with_photo'], ['openid']]) {
        const response = await initiate({ tokenId, serviceId: 'shop', scopes }).expect(422);
        expect(response.body.code).toBe('invalid_scope');
      }
    });

    it('answers the 11th initiate of a minute from one IP with 429 rate_limited', async () => {
      const call = () =>
        http()
          .post('/auth/initiate')
          .set('x-forwarded-for', '203.0.113.9')
          .set('authorization', basic('shop', secret))
          .send({ tokenId, serviceId: 'shop' });
      for (let i = 0; i < 10; i += 1) await call().expect(200);
      const response = await call().expect(429);
      expect(response.body.code).toBe('rate_limited');
    });

    it('refuses a revoked enrollment on initiate (403), and ends its pending sessions: rejected {revoked}', async () => {
      const phone = await enrolledDevice();
      const session = await started({ tokenId: phone.tokenId });
      await http().post('/revoke').set(admin).send({ tokenId: phone.tokenId, reason: 'user_request' }).expect(200);
      const initiated = await initiate({ tokenId: phone.tokenId, serviceId: 'shop' }).expect(403);
      expect(initiated.body.code).toBe('enrollment_revoked');
      // The revocation reaches the session through the store's pub/sub: the poller learns it within moments.
      let status: Record<string, unknown> = {};
      for (let i = 0; i < 100 && status.status !== 'rejected'; i += 1) {
        status = (await poll(session.sessionId, session.wsToken).expect(200)).body;
        if (status.status !== 'rejected') await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toEqual({ status: 'rejected', reason: 'revoked' });
      // The holder's phone can no longer approve it (before the event lands the enrollment check refuses it: 403).
      const verified = await verify(verifyBody(session, {}, phone)).expect(404);
      expect(verified.body.code).toBe('session_not_found');
    });
  });

  describe('verify refusals (spec §6.2), each changing one thing', () => {
    it('refuses an unknown session (404 session_not_found)', async () => {
      const session = await started();
      const response = await verify({ ...verifyBody(session), sessionId: 'sess_AAAAAAAAAAAAAAAAAAAAAA' }).expect(404);
      expect(response.body.code).toBe('session_not_found');
    });

    it('refuses another tokenId (403 token_mismatch)', async () => {
      const session = await started();
      const response = await verify(verifyBody(session, { tokenId: randomUUID() })).expect(403);
      expect(response.body.code).toBe('token_mismatch');
    });

    it('refuses a timestamp 31 s old (400 stale_timestamp)', async () => {
      const session = await started();
      const response = await verify(verifyBody(session, { timestamp: device.unixNow() - 31 })).expect(400);
      expect(response.body.code).toBe('stale_timestamp');
    });

    it('refuses a timestamp 31 s ahead (400 stale_timestamp), and accepts one 29 s ahead', async () => {
      const session = await started();
      const ahead = await verify(verifyBody(session, { timestamp: device.unixNow() + 31 })).expect(400);
      expect(ahead.body.code).toBe('stale_timestamp');
      await verify(verifyBody(session, { timestamp: device.unixNow() + 29 })).expect(200);
    });

    it('refuses a signature made by another enrolled device (401 invalid_signature)', async () => {
      const session = await started();
      const other = await enrolledDevice();
      // The other phone signs exactly the right text, under this holder's tokenId.
      const forged = { ...verifyBody(session, {}, other), tokenId: device.tokenId! };
      const response = await verify(forged).expect(401);
      expect(response.body.code).toBe('invalid_signature');
    });

    it('refuses a replayed approval: the same body twice, the second finds no session (404)', async () => {
      const session = await started();
      const body = verifyBody(session);
      await verify(body).expect(200);
      const replayed = await verify(body).expect(404);
      expect(replayed.body.code).toBe('session_not_found');
    });

    it('refuses a signature over other text (401 invalid_signature)', async () => {
      const session = await started();
      const response = await verify(verifyBody(session, { sign: 'something else' })).expect(401);
      expect(response.body.code).toBe('invalid_signature');
    });

    it('refuses a wrong OTP, signed correctly (401 invalid_otp)', async () => {
      const session = await started();
      const response = await verify(verifyBody(session, { otp: wrongOtp(session.autoPassword) })).expect(401);
      expect(response.body.code).toBe('invalid_otp');
    });

    it('refuses granted scopes wider than the session (422 scope_inflation)', async () => {
      const session = await started();
      const response = await verify(verifyBody(session, { grantedScopes: ['identity:age_over_18'] })).expect(422);
      expect(response.body.code).toBe('scope_inflation');
    });
  });

  it('lets exactly one of 20 concurrent verifies win; the others get 404 session_not_found', async () => {
    const session = await started();
    const body = verifyBody(session);
    const responses = await Promise.all(Array.from({ length: 20 }, () => verify(body)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 404)).toHaveLength(19);
  });

  it('ends the session on the third wrong OTP (429 too_many_attempts) and tells the poller', async () => {
    const session = await started();
    const wrong = wrongOtp(session.autoPassword);
    await verify(verifyBody(session, { otp: wrong })).expect(401);
    await verify(verifyBody(session, { otp: wrong })).expect(401);
    const third = await verify(verifyBody(session, { otp: wrong })).expect(429);
    expect(third.body.code).toBe('too_many_attempts');
    await verify(verifyBody(session)).expect(404);
    expect((await poll(session.sessionId, session.wsToken).expect(200)).body).toEqual({
      status: 'rejected',
      reason: 'too_many_attempts',
    });
  });

  it('locks a tokenId after 30 failed checks in 24 h (429 too_many_attempts) until an operator clears it', async () => {
    const phone = await enrolledDevice();
    const lockout = () => http().get(`/admin/enrollments/${phone.tokenId}/lockout`).set(admin);
    for (let i = 0; i < 10; i += 1) {
      const session = await started({ tokenId: phone.tokenId });
      const wrong = verifyBody(session, { otp: wrongOtp(session.autoPassword) }, phone);
      // Three failed checks end each session; the 30 count against the tokenId.
      for (let attempt = 0; attempt < 3; attempt += 1) await verify(wrong);
    }
    expect((await lockout().expect(200)).body).toMatchObject({ failures: 30, limit: 30, locked: true });
    const refused = await initiate({ tokenId: phone.tokenId, serviceId: 'shop' }).expect(429);
    expect(refused.body.code).toBe('too_many_attempts');
    // Another holder is not affected.
    await initiate({ tokenId, serviceId: 'shop' }).expect(200);

    const cleared = await http().delete(`/admin/enrollments/${phone.tokenId}/lockout`).set(admin).expect(200);
    expect(cleared.body).toEqual({
      tokenId: phone.tokenId,
      failures: 0,
      limit: 30,
      locked: false,
      windowEndsInSeconds: null,
    });
    await initiate({ tokenId: phone.tokenId, serviceId: 'shop' }).expect(200);
    // A station's key may not clear lockouts.
    const { apiKey } = (await http().post('/admin/stations').set(admin).send({ name: 'desk 2' }).expect(201)).body;
    await http()
      .delete(`/admin/enrollments/${phone.tokenId}/lockout`)
      .set('authorization', `Bearer ${apiKey}`)
      .expect(403);
  });

  it('counts a bad signature in a claims-only session for the session only, not against the tokenId it names', async () => {
    // A claims-only sessionId is easy to get (any QR sign-in page); were its bad signatures counted against the
    // tokenId they name, anyone knowing a tokenId could lock its holder out (docs/decisions.md).
    const phone = await enrolledDevice();
    const lockout = () => http().get(`/admin/enrollments/${phone.tokenId}/lockout`).set(admin);
    const claimsOnly = async () => {
      const response = await initiate({ serviceId: 'shop', scopes: ['identity:age_over_18'] }).expect(200);
      const { sessionId, qr } = response.body as { sessionId: string; qr: string };
      const { otp } = JSON.parse(Buffer.from(qr.slice('IDTK1:'.length), 'base64url').toString('utf8')) as {
        otp: string;
      };
      return { sessionId, autoPassword: otp };
    };
    const session = await claimsOnly();
    // Another enrolled device signs in the holder's name: three bad signatures end the session...
    const forged = { ...verifyBody(session, { grantedScopes: [] }, device), tokenId: phone.tokenId! };
    expect((await verify(forged).expect(401)).body.code).toBe('invalid_signature');
    await verify(forged).expect(401);
    expect((await verify(forged).expect(429)).body.code).toBe('too_many_attempts');
    // ...and the holder's count is untouched.
    expect((await lockout().expect(200)).body).toMatchObject({ failures: 0, locked: false });

    // A wrong code signed by the holder's own device does count: that is a guess only the holder's key can make.
    const second = await claimsOnly();
    const guessed = verifyBody(second, { otp: wrongOtp(second.autoPassword), grantedScopes: [] }, phone);
    expect((await verify(guessed).expect(401)).body.code).toBe('invalid_otp');
    expect((await lockout().expect(200)).body).toMatchObject({ failures: 1, locked: false });
  });

  it('ends the session when the holder denies it (device-signed, action deny)', async () => {
    const session = await started();
    const denied = await http()
      .post('/auth/deny')
      .send(device.signedRequest('deny', { sessionId: session.sessionId }))
      .expect(200);
    expect(denied.body).toEqual({ status: 'rejected', reason: 'denied' });
    expect((await poll(session.sessionId, session.wsToken).expect(200)).body).toEqual({
      status: 'rejected',
      reason: 'denied',
    });
    await verify(verifyBody(session)).expect(404);
  });

  it('answers a poll with a wrong wsToken like an unknown session (404)', async () => {
    const session = await started();
    const other = await started();
    const response = await poll(session.sessionId, other.wsToken).expect(404);
    expect(response.body.code).toBe('session_not_found');
    await http().get(`/auth/sessions/${session.sessionId}`).expect(400);
  });

  it('runs a claims-only session (spec §6.5): QR instead of autoPassword, bound to the verifying device, pairwise sub', async () => {
    const response = await initiate({ serviceId: 'shop', scopes: ['identity:age_over_18'] }).expect(200);
    const session = response.body as { sessionId: string; wsToken: string; qr: string; autoPassword?: string };
    expect(session.autoPassword).toBeUndefined();
    expect(session.qr).toMatch(/^IDTK1:[A-Za-z0-9_-]+$/);
    const qr = JSON.parse(Buffer.from(session.qr.slice('IDTK1:'.length), 'base64url').toString('utf8'));
    expect(qr).toEqual({
      v: 1,
      sid: session.sessionId,
      srv: server.env.config.issuerUrl,
      svc: 'shop',
      otp: expect.stringMatching(/^\d{6}$/),
      scp: ['identity:age_over_18'],
      exp: expect.any(Number),
    });
    const body = verifyBody(
      { sessionId: session.sessionId, autoPassword: qr.otp },
      { grantedScopes: ['identity:age_over_18'] },
    );
    await verify(body).expect(200);
    const { jwt } = (await poll(session.sessionId, session.wsToken).expect(200)).body;
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims.sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(claims.sub).not.toBe(tokenId);
    expect(claims.ageOver18).toEqual(expect.any(Boolean));
  });
});
