import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { TrustStore } from '#idtoken/trust';
import {
  IDENTITY_MANIFEST,
  VDS_ENVIRONMENT,
  decodeVds,
  decodePayload,
  signVds,
  toVdsText,
  type IdentityPayload,
} from '#idtoken/vds';
import { FaceMismatchError, ServerError, type Device, type Station } from '../apps/device/src/index.js';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, newDevice, setUpStation } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

describe('enrollment and revocation (spec §4) end to end', () => {
  let server: RunningApp;
  let station: Station;
  let csca: Awaited<ReturnType<typeof setUpStation>>['csca'];

  beforeAll(async () => {
    // A generous rate limit here; the limit itself is tested below with a server of its own.
    server = await startTestApp({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      ENROLL_RATE_LIMIT_PER_HOUR: '1000',
    });
    ({ station, csca } = await setUpStation(server.baseUrl));
  });
  afterAll(async () => server?.close());

  const admin = () => ({ authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}` });
  const counts = async () => {
    const dataSource = server.app.get(DataSource);
    const [row] = await dataSource.query(
      `SELECT (SELECT count(*) FROM enrollments)::int AS enrollments, (SELECT count(*) FROM audit_events)::int AS audit`,
    );
    return row as { enrollments: number; audit: number };
  };
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServerError);
    return error as ServerError;
  };

  async function enrolledDevice(): Promise<{ device: Device; tokenId: string; vds: string; face: Uint8Array }> {
    const issued = await issueCredential(station, csca);
    const device = await newDevice(server.baseUrl);
    await device.receiveCredential(issued.vds);
    const result = await device.enroll({ liveFaceTemplate: issued.face });
    expect(result).toEqual({
      enrolled: true,
      tokenId: issued.tokenId,
      expiresAt: expect.any(String),
      trustLevel: 'high',
    });
    return { device, ...issued };
  }

  it('issue → enroll → 409 on a second enrollment → revoke → revoked status → old VDS refused → a new VDS enrolls', async () => {
    const { tokenId, vds, face } = await enrolledDevice();

    const status = await request(server.baseUrl).get(`/admin/enrollments/${tokenId}`).set(admin()).expect(200);
    expect(status.body).toMatchObject({ tokenId, status: 'active', platform: 'simulator', trustLevel: 'high' });

    const second = await newDevice(server.baseUrl);
    await second.receiveCredential(vds);
    const conflict = await refusal(second.enroll({ liveFaceTemplate: face }));
    expect(conflict.status).toBe(409);
    expect(conflict.code).toBe('already_enrolled');

    const revoked = await request(server.baseUrl)
      .post('/revoke')
      .set(admin())
      .send({ tokenId, reason: 'lost_device' })
      .expect(200);
    expect(revoked.body).toMatchObject({ tokenId, status: 'revoked', revocationReason: 'lost_device' });
    const after = await request(server.baseUrl).get(`/admin/enrollments/${tokenId}`).set(admin()).expect(200);
    expect(after.body).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });

    // Device-signed requests of a revoked enrollment: 403 enrollment_revoked (spec §6.1 semantics).
    const firstDeviceCall = await refusal(second.updatePushToken('x'));
    expect(firstDeviceCall.code).toBe('enrollment_revoked');

    // The old credential is on the VRL now: it can never enroll again.
    const third = await newDevice(server.baseUrl);
    const stale = await request(server.baseUrl).post('/enroll').send(third.enrollmentRequest(vds, tokenId)).expect(422);
    expect(stale.body.code).toBe('vds_revoked');

    // A new VDS for the same tokenId (re-issued by the identity-VDS key) enrolls.
    const renewed = await reissue(vds);
    const fourth = await newDevice(server.baseUrl);
    await fourth.receiveCredential(renewed);
    await fourth.enroll({ liveFaceTemplate: face });
    const history = await request(server.baseUrl).get(`/admin/enrollments/${tokenId}`).set(admin()).expect(200);
    expect(history.body.status).toBe('active');
    expect(history.body.history.map((h: { status: string }) => h.status)).toEqual(['active', 'revoked']);
  });

  /** Signs a fresh identity VDS with the same payload (and tokenId) as `vds`: a new fingerprint. */
  async function reissue(vds: string): Promise<string> {
    const payload = decodePayload(decodeVds(vds)) as IdentityPayload;
    const signer = await server.app.get(TrustStore).signerFor(IDENTITY_MANIFEST);
    return toVdsText(
      signVds({
        iac: 'IDT',
        cin: VDS_ENVIRONMENT.test,
        manifestId: IDENTITY_MANIFEST,
        certificateDer: signer.certificateDer,
        signingTime: Math.floor(Date.now() / 1000) + 1,
        payload,
        privateKey: signer.privateKey,
      }),
    );
  }

  it('treats an enrollment whose credential expired as inactive, and lets a new VDS replace it', async () => {
    const { device, tokenId, vds, face } = await enrolledDevice();
    await server.app
      .get(DataSource)
      .query(`UPDATE enrollments SET expires_at = now() - interval '1 second' WHERE token_id = $1`, [tokenId]);
    const expired = await refusal(device.updatePushToken('fcm-after-expiry'));
    expect(expired.status).toBe(403);
    expect(expired.code).toBe('enrollment_revoked');
    expect(expired.detail).toMatch(/expired/);

    const renewed = await newDevice(server.baseUrl);
    await renewed.receiveCredential(await reissue(vds));
    await renewed.enroll({ liveFaceTemplate: face });
    const history = await request(server.baseUrl).get(`/admin/enrollments/${tokenId}`).set(admin()).expect(200);
    expect(
      history.body.history.map((h: { status: string; revocationReason: string | null }) => [
        h.status,
        h.revocationReason,
      ]),
    ).toEqual([
      ['active', null],
      ['revoked', 'expired_document'],
    ]);
  });

  it('does not send anything when the face check fails on the phone', async () => {
    const issued = await issueCredential(station, csca);
    const device = await newDevice(server.baseUrl);
    await device.receiveCredential(issued.vds);
    const before = await counts();
    await expect(device.enroll({ liveFaceTemplate: new Uint8Array(64).fill(1) })).rejects.toThrow(FaceMismatchError);
    expect(await counts()).toEqual(before);
  });

  describe('bad input: a clear problem+json, and nothing written', () => {
    let device: Device;
    let issued: Awaited<ReturnType<typeof issueCredential>>;
    beforeAll(async () => {
      issued = await issueCredential(station, csca);
      device = await newDevice(server.baseUrl);
      await device.receiveCredential(issued.vds);
    });

    const enroll = (body: unknown) =>
      request(server.baseUrl)
        .post('/enroll')
        .send(body as object);
    const validBody = () => device.enrollmentRequest(issued.vds, issued.tokenId);

    it.each<[string, () => Record<string, unknown>, number, string]>([
      [
        'a stale timestamp (31 s old)',
        () => device.enrollmentRequest(issued.vds, issued.tokenId, { timestamp: device.unixNow() - 31 }),
        400,
        'stale_timestamp',
      ],
      [
        // 32, not 31: the server reads its clock a moment later and may already be one second on.
        'a timestamp 32 s ahead',
        () => device.enrollmentRequest(issued.vds, issued.tokenId, { timestamp: device.unixNow() + 32 }),
        400,
        'stale_timestamp',
      ],
      ['an unknown field', () => ({ ...validBody(), admin: true }), 400, 'invalid_request'],
      ['a missing field', () => ({ ...validBody(), deviceId: undefined }), 400, 'invalid_request'],
      ['an unknown platform', () => ({ ...validBody(), platform: 'nokia' }), 400, 'invalid_request'],
      [
        'a P-384 key',
        () => ({
          ...validBody(),
          publicKeyPem: generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({
            format: 'pem',
            type: 'spki',
          }),
        }),
        400,
        'invalid_request',
      ],
      [
        'an RSA key',
        () => ({
          ...validBody(),
          publicKeyPem: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
            format: 'pem',
            type: 'spki',
          }),
        }),
        400,
        'invalid_request',
      ],
      [
        'a signature in raw r‖s form',
        () =>
          withSignature(validBody(), (message) =>
            sign('sha256', Buffer.from(message), { key: deviceKey(), dsaEncoding: 'ieee-p1363' }),
          ),
        401,
        'invalid_signature',
      ],
      [
        'a DER signature with r = 0',
        () => ({
          ...validBody(),
          signatureBase64: Buffer.from([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01]).toString('base64'),
        }),
        401,
        'invalid_signature',
      ],
      [
        'a signature by another key',
        () =>
          withSignature(validBody(), (message) =>
            sign('sha256', Buffer.from(message), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
          ),
        401,
        'invalid_signature',
      ],
      [
        'a signature over another tokenId',
        () => ({
          ...validBody(),
          signatureBase64: device.signText(
            `enroll|${crypto.randomUUID()}|${device.publicKey.keyId}|${device.unixNow()}`,
          ),
        }),
        401,
        'invalid_signature',
      ],
      [
        'signatureBase64 that is not base64',
        () => ({ ...validBody(), signatureBase64: '***' }),
        400,
        'invalid_request',
      ],
      ['a VDS that is not a VDS', () => ({ ...validBody(), vdsData: 'VDS1:hello' }), 400, 'vds_malformed'],
    ])('refuses %s', async (_, build, status, code) => {
      const before = await counts();
      const response = await enroll(build()).expect(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.code).toBe(code);
      expect(await counts()).toEqual(before);
    });

    it('refuses malformed JSON and a body over the 1 MiB limit', async () => {
      const before = await counts();
      const malformed = await request(server.baseUrl)
        .post('/enroll')
        .set('content-type', 'application/json')
        .send('{"vdsData":')
        .expect(400);
      expect(malformed.body.code).toBe('invalid_request');
      const oversized = await enroll({ ...validBody(), deviceId: 'x'.repeat(1_100_000) }).expect(413);
      expect(oversized.body.code).toBe('payload_too_large');
      expect(await counts()).toEqual(before);
    });

    function deviceKey() {
      return (device as unknown as { privateKey: KeyObject }).privateKey;
    }

    /** The valid body with its signature replaced by `signWith(the proof-of-possession message)`. */
    function withSignature(
      body: Record<string, unknown>,
      signWith: (message: string) => Buffer,
    ): Record<string, unknown> {
      const message = `enroll|${issued.tokenId}|${device.publicKey.keyId}|${String(body.timestamp)}`;
      return { ...body, signatureBase64: signWith(message).toString('base64') };
    }
  });

  describe('device-signed push-token update (spec §4, §5.1)', () => {
    it('updates the push token once; a replay or a signature for another action is refused', async () => {
      const { device, tokenId } = await enrolledDevice();
      const body = device.signedRequest('push-token', { fcmToken: 'fcm-123' });
      await request(server.baseUrl).put('/devices/push-token').send(body).expect(200, { updated: true });
      const [row] = await server.app
        .get(DataSource)
        .query(`SELECT push_token FROM enrollments WHERE token_id = $1 AND status = 'active'`, [tokenId]);
      expect(row.push_token).toBe('fcm-123');

      expect((await request(server.baseUrl).put('/devices/push-token').send(body).expect(409)).body.code).toBe(
        'replayed_request',
      );
      const otherAction = device.signedRequest('trust', { fcmToken: 'fcm-456' });
      expect((await request(server.baseUrl).put('/devices/push-token').send(otherAction).expect(401)).body.code).toBe(
        'invalid_signature',
      );
      const altered = { ...device.signedRequest('push-token', { fcmToken: 'fcm-789' }), fcmToken: 'fcm-evil' };
      expect((await request(server.baseUrl).put('/devices/push-token').send(altered).expect(401)).body.code).toBe(
        'invalid_signature',
      );
    });

    it('answers 404 enrollment_not_found for a tokenId never enrolled', async () => {
      const { device } = await enrolledDevice();
      const body = { ...device.signedRequest('push-token', { fcmToken: 'x' }), tokenId: crypto.randomUUID() };
      expect((await request(server.baseUrl).put('/devices/push-token').send(body).expect(404)).body.code).toBe(
        'enrollment_not_found',
      );
    });
  });

  it('refuses revocation without an admin or operator key, and of an unknown tokenId', async () => {
    await request(server.baseUrl)
      .post('/revoke')
      .send({ tokenId: crypto.randomUUID(), reason: 'lost_device' })
      .expect(401);
    const missing = await request(server.baseUrl)
      .post('/revoke')
      .set(admin())
      .send({ tokenId: crypto.randomUUID(), reason: 'lost_device' })
      .expect(404);
    expect(missing.body.code).toBe('enrollment_not_found');
    const badReason = await request(server.baseUrl)
      .post('/revoke')
      .set(admin())
      .send({ tokenId: crypto.randomUUID(), reason: 'bored' })
      .expect(400);
    expect(badReason.body.code).toBe('invalid_request');
  });
});

describe('enrollment rate limit (spec §4: 5 per hour per IP by default)', () => {
  it('answers 429 with Retry-After once the limit is spent', async () => {
    const server = await startTestApp({ ENROLL_RATE_LIMIT_PER_HOUR: '2' });
    try {
      for (let i = 0; i < 2; i++) await request(server.baseUrl).post('/enroll').send({}).expect(400);
      const limited = await request(server.baseUrl).post('/enroll').send({}).expect(429);
      expect(limited.body.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
