import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import request from 'supertest';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, newDevice, setUpStation } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

const ISSUER = 'https://id.example';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** spec §6.1: a service authenticates its initiates with a signed client assertion (RFC 7523) instead of a secret. */
describe('initiate with an RFC 7523 client assertion (spec §6.1)', () => {
  let server: RunningApp;
  let tokenId: string;
  let shopKey: CryptoKey;
  let shopJwk: JWK;
  const admin = { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}` };
  const http = () => request(server.baseUrl);
  let lastIp = 0;
  const nextIp = () => `198.51.100.${(lastIp += 1)}`;

  const assertion = (
    key: CryptoKey,
    overrides: { iss?: string; sub?: string; aud?: string; exp?: number; jti?: string | null; alg?: string } = {},
  ) => {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { jti: randomUUID() };
    if (overrides.jti === null) delete claims.jti;
    else if (overrides.jti) claims.jti = overrides.jti;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: overrides.alg ?? 'ES256', typ: 'JWT' })
      .setIssuer(overrides.iss ?? 'shop')
      .setSubject(overrides.sub ?? overrides.iss ?? 'shop')
      .setAudience(overrides.aud ?? ISSUER)
      .setIssuedAt(now)
      .setExpirationTime(overrides.exp ?? now + 60)
      .sign(key);
  };
  const initiate = (fields: Record<string, unknown>) =>
    http()
      .post('/auth/initiate')
      .set('x-forwarded-for', nextIp())
      .send({ tokenId, serviceId: 'shop', ...fields });
  const withAssertion = async (signed: Promise<string> | string) =>
    initiate({ client_assertion_type: JWT_BEARER, client_assertion: await signed });
  const refusal = async (signed: Promise<string> | string) => {
    const response = await withAssertion(signed);
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    return response.body.code as string;
  };

  beforeAll(async () => {
    server = await startTestApp({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      TRUST_PROXY: 'true',
      ISSUER_URL: ISSUER,
      INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000',
    });
    const { station, csca } = await setUpStation(server.baseUrl);
    const pair = await generateKeyPair('ES256', { extractable: true });
    shopKey = pair.privateKey;
    shopJwk = await exportJWK(pair.publicKey);
    for (const serviceId of ['shop', 'bar']) {
      await http()
        .post('/admin/services')
        .set(admin)
        .send({
          serviceId,
          name: serviceId,
          url: `https://${serviceId}.example`,
          allowedScopes: ['identity:basic'],
          defaultScopes: ['identity:name'],
          requireTrust: false,
          ...(serviceId === 'shop' ? { publicKeys: [shopJwk] } : {}),
        })
        .expect(201);
    }
    const issued = await issueCredential(station, csca);
    const device = await newDevice(server.baseUrl);
    await device.receiveCredential(issued.vds);
    await device.enroll({ liveFaceTemplate: issued.face });
    tokenId = device.tokenId!;
  });
  afterAll(async () => server?.close());

  it('stores the key with its RFC 7638 thumbprint as kid, and accepts an assertion signed with it', async () => {
    const service = (await http().get('/admin/services/shop').set(admin).expect(200)).body;
    expect(service.publicKeys).toEqual([{ kid: await calculateJwkThumbprint(shopJwk), jwk: shopJwk }]);
    const started = await withAssertion(assertion(shopKey));
    expect(started.status).toBe(200);
    expect(started.body.sessionId).toMatch(/^sess_/);
  });

  it('accepts the initiate endpoint as audience too', async () => {
    expect((await withAssertion(assertion(shopKey, { aud: `${ISSUER}/auth/initiate` }))).status).toBe(200);
  });

  it('accepts each assertion once (jti)', async () => {
    const signed = await assertion(shopKey);
    expect((await withAssertion(signed)).status).toBe(200);
    expect(await refusal(signed)).toBe('service_unauthenticated');
  });

  it("follows a change of the service's keys at once: the replaced key is refused, the new one accepted", async () => {
    const [before, after] = await Promise.all([
      generateKeyPair('ES256', { extractable: true }),
      generateKeyPair('ES256', { extractable: true }),
    ]);
    await http()
      .post('/admin/services')
      .set(admin)
      .send({
        serviceId: 'rotating',
        name: 'rotating',
        url: 'https://rotating.example',
        allowedScopes: ['identity:basic'],
        defaultScopes: ['identity:name'],
        requireTrust: false,
        publicKeys: [await exportJWK(before.publicKey)],
      })
      .expect(201);
    const asRotating = async (key: CryptoKey) =>
      initiate({
        serviceId: 'rotating',
        client_assertion_type: JWT_BEARER,
        client_assertion: await assertion(key, { iss: 'rotating' }),
      });
    // Twice, so the second is checked with the key set kept from the first.
    expect((await asRotating(before.privateKey)).status).toBe(200);
    expect((await asRotating(before.privateKey)).status).toBe(200);
    await http()
      .patch('/admin/services/rotating')
      .set(admin)
      .send({ publicKeys: [await exportJWK(after.publicKey)] })
      .expect(200);
    const replaced = await asRotating(before.privateKey);
    expect([replaced.status, replaced.body.code]).toEqual([401, 'service_unauthenticated']);
    expect((await asRotating(after.privateKey)).status).toBe(200);
  });

  it('refuses assertions that break one rule each', async () => {
    const now = Math.floor(Date.now() / 1000);
    const stranger = (await generateKeyPair('ES256')).privateKey;
    const cases: [string, Promise<string> | string][] = [
      ['signed by an unregistered key', assertion(stranger)],
      ['for another audience', assertion(shopKey, { aud: 'https://elsewhere.example' })],
      ['expired', assertion(shopKey, { exp: now - 120 })],
      ['valid for more than five minutes', assertion(shopKey, { exp: now + 3600 })],
      ['without a jti', assertion(shopKey, { jti: null })],
      ['with sub other than iss', assertion(shopKey, { sub: 'bar' })],
      // Signed with shop's key but claiming bar, which has no keys: never shop's session either.
      ['claiming another service', assertion(shopKey, { iss: 'bar' })],
      ['not a JWT', 'not-a-jwt'],
      [
        'HS256 with a guessable secret',
        new SignJWT({ jti: randomUUID() })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('shop')
          .setSubject('shop')
          .setAudience(ISSUER)
          .setExpirationTime('1m')
          .sign(new TextEncoder().encode('shop')),
      ],
      [
        'alg none',
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
          JSON.stringify({ iss: 'shop', sub: 'shop', aud: ISSUER, exp: now + 60, jti: randomUUID() }),
        ).toString('base64url')}.`,
      ],
    ];
    for (const [name, signed] of cases) {
      const response = await withAssertion(signed);
      expect({ name, status: response.status, code: response.body.code }).toEqual({
        name,
        status: 401,
        code: 'service_unauthenticated',
      });
    }
  });

  it('refuses another assertion type, a half-sent assertion, and Basic together with an assertion', async () => {
    const signed = await assertion(shopKey);
    const wrongType = await initiate({ client_assertion_type: 'urn:example:other', client_assertion: signed });
    expect([wrongType.status, wrongType.body.code]).toEqual([401, 'service_unauthenticated']);
    const half = await initiate({ client_assertion: signed });
    expect([half.status, half.body.code]).toEqual([400, 'invalid_request']);
    const both = await http()
      .post('/auth/initiate')
      .set('x-forwarded-for', nextIp())
      .set('authorization', `Basic ${Buffer.from('shop:whatever').toString('base64')}`)
      .send({ tokenId, serviceId: 'shop', client_assertion_type: JWT_BEARER, client_assertion: signed });
    expect([both.status, both.body.code]).toEqual([400, 'invalid_request']);
  });

  it('refuses a service key that is private, weak, or not a key (400, nothing stored)', async () => {
    const privateJwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const weakRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    for (const key of [privateJwk, weakRsa, { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }]) {
      const response = await http()
        .patch('/admin/services/bar')
        .set(admin)
        .send({ publicKeys: [key] });
      expect([response.status, response.body.code]).toEqual([400, 'invalid_request']);
    }
    expect((await http().get('/admin/services/bar').set(admin).expect(200)).body.publicKeys).toEqual([]);
  });
});
