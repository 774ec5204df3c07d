import { createHash, X509Certificate } from 'node:crypto';
import { jest } from '@jest/globals';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  importJWK,
  importX509,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';
import request from 'supertest';
import { ApiKeyService } from '#idtoken/admin';
import { AuditTrail } from '#idtoken/audit';
import { Clock, Rs256TokenKeys, TokenKeys } from '#idtoken/keys';
import { startTestApp, type RunningApp } from './support/test-app.js';

const BOOTSTRAP = 'bootstrap-admin-key-for-tests-0123456789';
const AHEAD_SECONDS = 360;
const GRACE_SECONDS = 3600;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('token keys and JWKS (spec §5, §7)', () => {
  let server: RunningApp;
  let offsetSeconds = 0;
  let operatorKey: string;
  let stationKey: string;

  beforeAll(async () => {
    server = await startTestApp({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP,
      TOKEN_KEY_PUBLISH_AHEAD_SECONDS: String(AHEAD_SECONDS),
      TOKEN_KEY_RETIRED_GRACE_SECONDS: String(GRACE_SECONDS),
    });
    // The key schedule runs on an injected clock: the test moves it instead of sleeping.
    const clock = server.app.get(Clock);
    jest.spyOn(clock, 'now').mockImplementation(() => new Date(Date.now() + offsetSeconds * 1000));
    const apiKeys = server.app.get(ApiKeyService);
    operatorKey = (await apiKeys.create({ name: 'ops', role: 'operator' })).apiKey;
    const station = await request(server.baseUrl)
      .post('/admin/stations')
      .set('authorization', `Bearer ${BOOTSTRAP}`)
      .send({ name: 'Desk' })
      .expect(201);
    stationKey = station.body.apiKey;
  });
  afterAll(async () => server?.close());

  const jwks = async () => {
    const response = await request(server.baseUrl).get('/.well-known/jwks.json').expect(200);
    return { response, keys: response.body.keys as (JWK & { kid: string })[] };
  };
  /** The token keys of one family in the JWKS (the Service-VDS key is ES256 too, but no token key). */
  const tokenKids = async (alg: 'ES256' | 'RS256' = 'ES256') =>
    (await jwks()).keys.filter((key) => key.alg === alg && !key.kid.startsWith('service-vds-')).map((key) => key.kid);
  const listedKeys = async (algorithm: 'ES256' | 'RS256') => {
    const listed = await request(server.baseUrl)
      .get('/admin/keys')
      .set('authorization', `Bearer ${operatorKey}`)
      .expect(200);
    return (listed.body.keys as { kid: string; algorithm: string; status: string }[])
      .filter((key) => key.algorithm === algorithm)
      .map((key) => [key.kid, key.status]);
  };
  /** Real time for the claims: jose checks exp against the real clock. */
  const sign = (family: typeof TokenKeys = TokenKeys) => {
    const iat = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = { iss: server.env.config.issuerUrl, sub: 's', aud: 'svc', iat, exp: iat + 300 };
    return server.app.get(family).signJwt(claims);
  };
  /** A verifier we did not write, fetching the JWKS over HTTP; a fresh one each time so no cache hides a change. */
  const verify = (jwt: string) =>
    jwtVerify(jwt, createRemoteJWKSet(new URL('/.well-known/jwks.json', server.baseUrl)), {
      issuer: server.env.config.issuerUrl,
      audience: 'svc',
    });

  it('publishes an RFC 7517 JWK Set: importable keys, no private members, unique kids, cacheable', async () => {
    const { response, keys } = await jwks();
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const key of keys) {
      expect(key).toMatchObject(
        key.alg === 'RS256'
          ? { kty: 'RSA', use: 'sig', kid: expect.any(String) }
          : { kty: 'EC', crv: 'P-256', use: 'sig', alg: 'ES256', kid: expect.any(String) },
      );
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      await expect(importJWK(key, key.alg)).resolves.toBeDefined();
    }
    expect(new Set(keys.map((key) => key.kid)).size).toBe(keys.length);
  });

  it('publishes the ES256 token keys first, then the RS256 ones, then the Service-VDS key', async () => {
    const { keys } = await jwks();
    const families = keys.map((key) => (key.kid.startsWith('service-vds-') ? 'service-vds' : key.alg));
    expect(families).toEqual(['ES256', 'RS256', 'service-vds']);
  });

  it('publishes each RS256 key with its self-signed certificate (x5c) and its SHA-256 thumbprint (x5t#S256)', async () => {
    const { keys } = await jwks();
    const [rsa] = keys.filter((key) => key.alg === 'RS256');
    expect(Object.keys(rsa!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use', 'x5c', 'x5t#S256']);
    expect(rsa!.x5c).toHaveLength(1);
    const der = Buffer.from(rsa!.x5c![0]!, 'base64');
    const certificate = new X509Certificate(der);
    const { n, e } = certificate.publicKey.export({ format: 'jwk' });
    expect({ n: rsa!.n, e: rsa!.e }).toEqual({ n, e });
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(rsa!['x5t#S256']).toBe(createHash('sha256').update(der).digest('base64url'));
    expect(keys.filter((key) => key.alg === 'ES256' && !key.kid.startsWith('service-vds-'))[0]).not.toHaveProperty(
      'x5c',
    );
  });

  it('publishes the Service-VDS key with its certificate chain, the certificate holding x/y first', async () => {
    const { keys } = await jwks();
    const service = keys.filter((key) => key.kid.startsWith('service-vds-'));
    expect(service).toHaveLength(1);
    expect(service[0]!.kid).toMatch(/^service-vds-[0-9a-f]{16}$/);
    const x5c = service[0]!.x5c!;
    expect(x5c.length).toBeGreaterThanOrEqual(1);
    const certificate = new X509Certificate(Buffer.from(x5c[0]!, 'base64'));
    const { x, y } = certificate.publicKey.export({ format: 'jwk' });
    expect({ x: service[0]!.x, y: service[0]!.y }).toEqual({ x, y });
    if (x5c[1]) expect(certificate.verify(new X509Certificate(Buffer.from(x5c[1], 'base64')).publicKey)).toBe(true);
  });

  it('signs a JWT that verifies with jose createRemoteJWKSet over HTTP', async () => {
    const jwt = await sign();
    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect((await verify(jwt)).payload.sub).toBe('s');
  });

  it('signs an RS256 JWT that verifies over HTTP, and with the certificate from x5c alone', async () => {
    const jwt = await sign(Rs256TokenKeys);
    const { kid } = decodeProtectedHeader(jwt);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'RS256', kid: (await tokenKids('RS256'))[0], typ: 'JWT' });
    expect((await verify(jwt)).payload.sub).toBe('s');
    // What a verifier that trusts x5c does (Entra ID): take the certificate, not n/e.
    const [x5c] = (await jwks()).keys.find((key) => key.kid === kid)!.x5c!;
    const pem = `-----BEGIN CERTIFICATE-----\n${x5c!.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----`;
    await expect(jwtVerify(jwt, await importX509(pem, 'RS256'))).resolves.toBeDefined();
  });

  it('lists the keys of both families with their algorithm, and refuses to rotate an unknown one', async () => {
    expect(await listedKeys('ES256')).toEqual([[(await tokenKids('ES256'))[0], 'current']]);
    expect(await listedKeys('RS256')).toEqual([[(await tokenKids('RS256'))[0], 'current']]);
    const refused = await request(server.baseUrl)
      .post('/admin/keys/rotate')
      .set('authorization', `Bearer ${BOOTSTRAP}`)
      .send({ algorithm: 'HS256' })
      .expect(400);
    expect(refused.body.code).toBe('invalid_request');
    expect(await tokenKids('ES256')).toHaveLength(1);
    expect(await tokenKids('RS256')).toHaveLength(1);
  });

  it('refuses POST /admin/keys/rotate without a key (401) and with an operator or station key (403)', async () => {
    const rotate = () => request(server.baseUrl).post('/admin/keys/rotate');
    expect((await rotate().expect(401)).body.code).toBe('unauthorized');
    for (const key of [operatorKey, stationKey]) {
      const response = await rotate().set('authorization', `Bearer ${key}`).expect(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    await request(server.baseUrl).get('/admin/keys').set('authorization', `Bearer ${stationKey}`).expect(403);
  });

  it('rotates: new key published at once, signing after the delay; old tokens verify until the old key retires', async () => {
    const oldToken = await sign();
    const oldKid = decodeProtectedHeader(oldToken).kid!;

    const rotated = await request(server.baseUrl)
      .post('/admin/keys/rotate')
      .set('authorization', `Bearer ${BOOTSTRAP}`)
      .expect(201);
    const newKid: string = rotated.body.kid;
    expect(rotated.body.algorithm).toBe('ES256');
    expect(Date.parse(rotated.body.activatesAt) - Date.now()).toBeGreaterThan((AHEAD_SECONDS - 5) * 1000);
    const [event] = await server.app.get(AuditTrail).list({ type: 'keys.token_key_rotated' });
    expect(event).toMatchObject({ actor: 'admin:bootstrap', subject: newKid, data: { retiring: [oldKid] } });

    // Published before it signs, so verifiers holding a cached JWKS know it by then.
    expect(await tokenKids()).toEqual([oldKid, newKid]);
    expect(decodeProtectedHeader(await sign()).kid).toBe(oldKid);
    expect(await listedKeys('ES256')).toEqual([
      [newKid, 'next'],
      [oldKid, 'current'],
    ]);

    offsetSeconds = AHEAD_SECONDS;
    const newToken = await sign();
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    await expect(verify(oldToken)).resolves.toBeDefined();
    await expect(verify(newToken)).resolves.toBeDefined();

    offsetSeconds = AHEAD_SECONDS + GRACE_SECONDS - 1;
    await expect(verify(oldToken)).resolves.toBeDefined();

    offsetSeconds = AHEAD_SECONDS + GRACE_SECONDS;
    expect(await tokenKids()).toEqual([newKid]);
    await expect(verify(oldToken)).rejects.toThrow(/no applicable key/i);
    await expect(verify(newToken)).resolves.toBeDefined();
    expect((await listedKeys('ES256')).map(([, status]) => status)).toEqual(['current', 'retired']);
  });

  it('rotates the RS256 keys on request, leaving the ES256 keys as they were', async () => {
    const esKidsBefore = await tokenKids('ES256');
    const esSigner = (await server.app.get(TokenKeys).signingKey()).kid;
    const oldToken = await sign(Rs256TokenKeys);
    const oldKid = decodeProtectedHeader(oldToken).kid!;

    const rotated = await request(server.baseUrl)
      .post('/admin/keys/rotate')
      .set('authorization', `Bearer ${BOOTSTRAP}`)
      .send({ algorithm: 'RS256' })
      .expect(201);
    const newKid: string = rotated.body.kid;
    expect(rotated.body.algorithm).toBe('RS256');
    const [event] = await server.app.get(AuditTrail).list({ type: 'keys.token_key_rotated' });
    expect(event).toMatchObject({ subject: newKid, data: { algorithm: 'RS256', retiring: [oldKid] } });
    expect(await tokenKids('RS256')).toEqual([oldKid, newKid]);
    expect(await tokenKids('ES256')).toEqual(esKidsBefore);
    expect(await listedKeys('RS256')).toEqual([
      [newKid, 'next'],
      [oldKid, 'current'],
    ]);

    offsetSeconds += AHEAD_SECONDS;
    const newToken = await sign(Rs256TokenKeys);
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    await expect(verify(oldToken)).resolves.toBeDefined();
    await expect(verify(newToken)).resolves.toBeDefined();
    expect((await server.app.get(TokenKeys).signingKey()).kid).toBe(esSigner);
    expect(await tokenKids('ES256')).toEqual(esKidsBefore);
  });

  it('retires a compromised key at once: rotate immediately, then retire it, and its tokens stop verifying', async () => {
    const retire = (kid: string, key = BOOTSTRAP) =>
      request(server.baseUrl).post(`/admin/keys/${kid}/retire`).set('authorization', `Bearer ${key}`);
    const compromisedToken = await sign();
    const compromised = decodeProtectedHeader(compromisedToken).kid!;
    // The key that signs cannot go: nothing would sign. Rotate first.
    const inUse = await retire(compromised).expect(409);
    expect(inUse.body).toMatchObject({ code: 'conflict', detail: expect.stringMatching(/rotate first/) });
    await retire(compromised, operatorKey).expect(403);
    expect((await retire('no-such-kid').expect(404)).body.code).toBe('not_found');
    expect((await retire('bad%20kid').expect(400)).body.code).toBe('invalid_request');

    const rotated = await request(server.baseUrl)
      .post('/admin/keys/rotate')
      .set('authorization', `Bearer ${BOOTSTRAP}`)
      .send({ immediate: true })
      .expect(201);
    const freshToken = await sign();
    expect(decodeProtectedHeader(freshToken).kid).toBe(rotated.body.kid);
    // Still published for its grace, as after any rotation, until it is retired.
    expect(await tokenKids()).toEqual([compromised, rotated.body.kid]);
    await expect(verify(compromisedToken)).resolves.toBeDefined();

    const retired = await retire(compromised).expect(200);
    expect(retired.body).toMatchObject({ kid: compromised, algorithm: 'ES256', status: 'withdrawn' });
    expect(retired.body.unpublishedAt).toBe(retired.body.withdrawnAt);
    expect(await tokenKids()).toEqual([rotated.body.kid]);
    await expect(verify(compromisedToken)).rejects.toThrow(/no applicable key/i);
    await expect(verify(freshToken)).resolves.toBeDefined();
    expect(await listedKeys('ES256')).toContainEqual([compromised, 'withdrawn']);

    // Again: nothing changes, nothing more is recorded.
    expect((await retire(compromised).expect(200)).body.status).toBe('withdrawn');
    const events = await server.app.get(AuditTrail).list({ type: 'keys.token_key_withdrawn' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'admin:bootstrap', subject: compromised, data: { algorithm: 'ES256' } });
    const [rotation] = await server.app.get(AuditTrail).list({ type: 'keys.token_key_rotated' });
    expect(rotation).toMatchObject({ subject: rotated.body.kid, data: { immediate: true, retiring: [compromised] } });
  });

  it('refuses to retire the key about to sign (409); once a later rotation supersedes it, it can go', async () => {
    const rotate = () =>
      request(server.baseUrl)
        .post('/admin/keys/rotate')
        .set('authorization', `Bearer ${BOOTSTRAP}`)
        .send({ algorithm: 'RS256' })
        .expect(201);
    const retire = (kid: string) =>
      request(server.baseUrl).post(`/admin/keys/${kid}/retire`).set('authorization', `Bearer ${BOOTSTRAP}`);
    const first = (await rotate()).body.kid as string;
    const refused = await retire(first).expect(409);
    expect(refused.body.detail).toMatch(/about to sign/);
    expect(await tokenKids('RS256')).toContain(first);

    // A second rotation supersedes it: it may be retired now, and it never signs.
    const second = (await rotate()).body.kid as string;
    expect((await retire(first).expect(200)).body.status).toBe('withdrawn');
    expect(await listedKeys('RS256')).toEqual(expect.arrayContaining([[first, 'withdrawn']]));
    expect(await tokenKids('RS256')).not.toContain(first);
    expect(await tokenKids('RS256')).toContain(second);
  });

  it('documents the JWKS and the key administration in OpenAPI', async () => {
    const document = await request(server.baseUrl).get('/docs/openapi.json').expect(200);
    expect(document.body.paths['/.well-known/jwks.json'].get).toBeDefined();
    expect(document.body.paths['/admin/keys/rotate'].post.security).toEqual([{ bearer: [] }]);
    expect(document.body.paths['/admin/keys'].get).toBeDefined();
  });
});
