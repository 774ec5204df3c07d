import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ApiKeyService } from '#idtoken/admin';
import { deviceRequestMessage } from '#idtoken/enrollment';
import { TrustStore } from '#idtoken/trust';
import {
  SERVICE_MANIFEST,
  VDS_ENVIRONMENT,
  decodeVds,
  signVds,
  toVdsText,
  verifyVds,
  type ServicePayload,
} from '#idtoken/vds';
import { rawSignatureToDer } from '../libs/vds/src/testing/ecdsa-der.js';
import { createTestSigner, flipBitInText, servicePayload, signService } from '../libs/vds/src/testing/vds-test-kit.js';
import type { Device } from '../apps/device/src/index.js';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, newDevice, setUpStation } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

// jsqr is CommonJS: under NodeNext its default import is the module object, whose `default` is the function.
const jsQR = jsQRModule.default;

describe('services, Service VDS and trust bindings (spec §5) end to end', () => {
  let server: RunningApp;
  let device: Device;
  let tokenId: string;
  let dir: string;

  beforeAll(async () => {
    server = await startTestApp({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      ENROLL_RATE_LIMIT_PER_HOUR: '1000',
    });
    const { station, csca } = await setUpStation(server.baseUrl);
    const issued = await issueCredential(station, csca);
    device = await newDevice(server.baseUrl);
    await device.receiveCredential(issued.vds);
    await device.enroll({ liveFaceTemplate: issued.face });
    tokenId = issued.tokenId;
    dir = mkdtempSync(join(tmpdir(), 'idtoken-services-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await server?.close();
  });

  const admin = () => ({ authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}` });
  const http = () => request(server.baseUrl);
  const serviceBody = (serviceId: string, overrides: Record<string, unknown> = {}) => ({
    serviceId,
    name: 'Demo Shop',
    url: 'https://shop.example',
    logoUrl: 'https://shop.example/logo.png',
    allowedScopes: ['identity:basic', 'identity:age_over_18'],
    defaultScopes: ['identity:name'],
    ...overrides,
  });
  const createService = async (serviceId: string, overrides: Record<string, unknown> = {}) =>
    (await http().post('/admin/services').set(admin()).send(serviceBody(serviceId, overrides)).expect(201)).body;
  const serviceVdsOf = async (serviceId: string): Promise<string> =>
    (await http().get(`/services/${serviceId}/vds`).expect(200)).body.serviceVds;
  const postTrust = (body: object) => http().post('/devices/trust').send(body);

  // spec §5.1 accepts each (tokenId, timestamp, action) once, and these tests send many requests a second: each
  // signed request gets a timestamp of its own, the newest unused one within the window.
  const usedTimestamps = new Set<string>();
  const fresh = (action: string): number => {
    for (let timestamp = device.unixNow(); ; timestamp -= 1) {
      if (!usedTimestamps.has(`${action}:${timestamp}`)) {
        usedTimestamps.add(`${action}:${timestamp}`);
        return timestamp;
      }
    }
  };
  const trustBody = (serviceVds: string) => device.signedRequest('trust', { serviceVds }, fresh('trust'));
  const trust = async (serviceVds: string) => (await postTrust(trustBody(serviceVds)).expect(201)).body;
  const listTrusted = async (): Promise<{ serviceId: string }[]> => {
    const query = device.signedEnvelope('list-services', {}, fresh('list-services'));
    return (await http().get('/devices/services').query(query).expect(200)).body.services;
  };
  const untrust = (serviceId: string) =>
    http()
      .delete(`/devices/trust/${serviceId}`)
      .send(device.signedEnvelope('untrust', { serviceId }, fresh('untrust')));
  const auditOf = async (serviceId: string) =>
    (await server.app
      .get(DataSource)
      .query(`SELECT type, actor, data FROM audit_events WHERE subject = $1 ORDER BY id`, [serviceId])) as {
      type: string;
      actor: string;
      data: Record<string, unknown>;
    }[];

  describe('the service registry (spec §9)', () => {
    it('creates a service with the spec defaults and shows its serviceSecret once', async () => {
      const created = await createService('shop-a');
      expect(created).toMatchObject({
        serviceId: 'shop-a',
        consentRequired: true,
        requireTrust: true,
        publicInitiate: false,
        subjectType: 'pairwise',
        tokenLifetimeSeconds: 300,
        hasSecret: true,
        oidc: null,
        saml: null,
        disabledAt: null,
        serviceSecret: expect.stringMatching(/^ids_[A-Za-z0-9_-]{43}$/),
      });
      const read = await http().get('/admin/services/shop-a').set(admin()).expect(200);
      expect(read.body.serviceSecret).toBeUndefined();
      expect(JSON.stringify(read.body)).not.toContain(created.serviceSecret);
      const list = await http().get('/admin/services').set(admin()).expect(200);
      expect(list.body.services.map((s: { serviceId: string }) => s.serviceId)).toContain('shop-a');
    });

    it('generates no secret for a publicInitiate service', async () => {
      const created = await createService('public-app', { publicInitiate: true });
      expect(created.serviceSecret).toBeUndefined();
      expect(created.hasSecret).toBe(false);
    });

    it.each<[string, Record<string, unknown>, number, string, string]>([
      ['a url with a path', { url: 'https://shop.example/login' }, 400, 'invalid_request', 'url'],
      ['an http url', { url: 'http://shop.example' }, 400, 'invalid_request', 'url'],
      ['scopes that are not an array', { allowedScopes: 'identity:basic' }, 400, 'invalid_request', 'allowedScopes'],
      ['an unknown scope', { allowedScopes: ['identity:shoe_size'] }, 422, 'invalid_scope', 'identity:shoe_size'],
      ['defaultScopes ⊄ allowedScopes', { defaultScopes: ['identity:full'] }, 422, 'invalid_scope', 'defaultScopes'],
    ])('refuses %s', async (_case, change, status, code, named) => {
      const response = await http().post('/admin/services').set(admin()).send(serviceBody('bad-input', change));
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.code).toBe(code);
      expect(response.body.detail).toContain(named);
    });

    it('refuses a duplicate serviceId with 409 conflict', async () => {
      await createService('dup-shop');
      const response = await http().post('/admin/services').set(admin()).send(serviceBody('dup-shop')).expect(409);
      expect(response.body.code).toBe('conflict');
    });

    it('answers 401 without a key, 403 for an operator writing, and lets an operator read', async () => {
      await http().post('/admin/services').send(serviceBody('no-key')).expect(401);
      const { apiKey } = await server.app.get(ApiKeyService).create({ name: 'ops', role: 'operator' });
      const operator = { authorization: `Bearer ${apiKey}` };
      const refused = await http().post('/admin/services').set(operator).send(serviceBody('by-operator')).expect(403);
      expect(refused.body.code).toBe('forbidden');
      await http().get('/admin/services').set(operator).expect(200);
      await http().get('/admin/services/nobody-here').set(operator).expect(404);
    });

    it('changes a service, rotates its secret, and audits every change with before/after and never a secret', async () => {
      const created = await createService('shop-b');
      const changed = await http()
        .patch('/admin/services/shop-b')
        .set(admin())
        .send({ name: 'Shop B', defaultScopes: [] })
        .expect(200);
      expect(changed.body).toMatchObject({ name: 'Shop B', defaultScopes: [] });
      const rotated = await http().post('/admin/services/shop-b/secret').set(admin()).expect(201);
      expect(rotated.body.serviceSecret).toMatch(/^ids_/);
      expect(rotated.body.serviceSecret).not.toBe(created.serviceSecret);
      await http().patch('/admin/services/shop-b').set(admin()).send({ serviceId: 'x' }).expect(400);

      const events = await auditOf('shop-b');
      expect(events.map((e) => e.type)).toEqual([
        'service.vds_issued',
        'service.created',
        'service.vds_issued',
        'service.updated',
        'service.secret_rotated',
      ]);
      const updated = events.find((e) => e.type === 'service.updated')!;
      expect(updated.actor).toBe('admin:bootstrap');
      expect(updated.data).toMatchObject({ before: { name: 'Demo Shop' }, after: { name: 'Shop B' } });
      const everything = JSON.stringify(events);
      for (const secret of [created.serviceSecret, rotated.body.serviceSecret])
        expect(everything).not.toContain(secret);
      expect(everything).not.toMatch(/secretHash|secret_hash/);
    });
  });

  describe('the Service VDS (spec §2 manifest 0x0A0002, §5)', () => {
    let text: string;
    beforeAll(async () => {
      await createService('shop-vds');
      text = await serviceVdsOf('shop-vds');
    });

    it('verifies against the server trust store, and is the same VDS on the next request', async () => {
      const answer = await http().get('/services/shop-vds/vds').expect(200);
      expect(answer.headers['cache-control']).toMatch(/max-age/);
      expect(answer.body.serviceVds).toBe(text);
      const verified = await verifyVds(text, {
        trust: server.app.get(TrustStore),
        now: new Date(),
        expectedManifestId: SERVICE_MANIFEST,
      });
      expect(verified.payload).toEqual({
        sid: 'shop-vds',
        name: 'Demo Shop',
        url: 'https://shop.example',
        logo: 'https://shop.example/logo.png',
        scp: ['identity:basic', 'identity:age_over_18'],
        iat: expect.any(Number),
        exp: verified.payload.iat + 90 * 86_400,
        iss: server.env.config.issuerUrl,
      });
      expect(new Date(answer.body.expiresAt).getTime()).toBe(verified.payload.exp * 1000);
    });

    it('verifies with the openssl CLI against the Service-VDS certificate', async () => {
      const { certificateDer } = await server.app.get(TrustStore).signerFor(SERVICE_MANIFEST);
      writeFileSync(join(dir, 'cert.der'), certificateDer);
      const pub = execFileSync('openssl', [
        'x509',
        '-inform',
        'DER',
        '-in',
        join(dir, 'cert.der'),
        '-pubkey',
        '-noout',
      ]);
      writeFileSync(join(dir, 'pub.pem'), pub);
      const decoded = decodeVds(text);
      writeFileSync(join(dir, 'payload.bin'), decoded.payloadBytes);
      const payloadDigest = execFileSync('openssl', ['dgst', '-sha256', '-binary', join(dir, 'payload.bin')]);
      // spec §2: the signed message is PREFIX ‖ HEADER ‖ SHA-256(PAYLOAD), signature raw r ‖ s (DER for openssl).
      writeFileSync(join(dir, 'msg.bin'), Buffer.concat([decoded.binary.subarray(0, 25), payloadDigest]));
      writeFileSync(join(dir, 'sig.der'), rawSignatureToDer(decoded.signature));
      const args = ['dgst', '-sha256', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig.der')];
      const result = spawnSync('openssl', [...args, join(dir, 'msg.bin')], { encoding: 'utf8' });
      expect(`${result.stdout}${result.stderr}`.trim()).toBe('Verified OK');
      expect(new X509Certificate(certificateDer).publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    });

    it('renders the exact text as a PNG and an SVG QR code', async () => {
      const png = await http()
        .get('/services/shop-vds/vds.png')
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(png.headers['content-type']).toBe('image/png');
      expect(png.headers['cache-control']).toMatch(/max-age/);
      const image = PNG.sync.read(png.body as Buffer);
      const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
      expect(code?.data).toBe(text);

      const svg = await http().get('/services/shop-vds/vds.svg').buffer(true).expect(200);
      expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(String(svg.text ?? svg.body)).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    });

    it('issues a new VDS when the scopes change; the old one stays valid', async () => {
      await http()
        .patch('/admin/services/shop-vds')
        .set(admin())
        .send({ allowedScopes: ['identity:basic'], defaultScopes: [] })
        .expect(200);
      const renewed = await serviceVdsOf('shop-vds');
      expect(renewed).not.toBe(text);
      const trust = server.app.get(TrustStore);
      const verify = (vds: string) => verifyVds(vds, { trust, now: new Date(), expectedManifestId: SERVICE_MANIFEST });
      expect((await verify(renewed)).payload.scp).toEqual(['identity:basic']);
      await expect(verify(text)).resolves.toBeDefined();
    });

    it('answers 404 problem+json for an unknown service', async () => {
      for (const suffix of ['vds', 'vds.svg', 'vds.png']) {
        const response = await http().get(`/services/nobody-here/${suffix}`).expect(404);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(response.body.code).toBe('not_found');
      }
    });
  });

  describe('trust bindings (spec §5, §5.1)', () => {
    let text: string;
    beforeAll(async () => {
      await createService('shop-trust');
      text = await serviceVdsOf('shop-trust');
    });

    it('trusts a service, lists it, trusts it again idempotently, untrusts it', async () => {
      // The phone checks the Service VDS against the published TSL and VRL first (apps/device).
      await device.inspectService(text);
      expect(await trust(text)).toEqual({
        serviceId: 'shop-trust',
        name: 'Demo Shop',
        scopes: ['identity:basic', 'identity:age_over_18'],
      });
      expect(await listTrusted()).toEqual([
        {
          serviceId: 'shop-trust',
          name: 'Demo Shop',
          url: 'https://shop.example',
          logoUrl: 'https://shop.example/logo.png',
          scopes: ['identity:basic', 'identity:age_over_18'],
          trustedAt: expect.any(String),
        },
      ]);
      await trust(text);
      expect(await listTrusted()).toHaveLength(1);

      expect((await untrust('shop-trust').expect(200)).body).toEqual({ serviceId: 'shop-trust', trusted: false });
      expect(await listTrusted()).toEqual([]);
      const again = await untrust('shop-trust').expect(404);
      expect(again.body.code).toBe('not_found');
      expect((await auditOf(tokenId)).map((e) => e.type)).toEqual(
        expect.arrayContaining(['service.trusted', 'service.untrusted']),
      );
    });

    it('refuses a signature made for other fields: 401 invalid_signature', async () => {
      const body = { ...device.signedRequest('trust', { serviceVds: 'VDS1:OTHER' }, fresh('trust')), serviceVds: text };
      const response = await postTrust(body).expect(401);
      expect(response.body.code).toBe('invalid_signature');
    });

    it('refuses a signature by another key: 401 invalid_signature', async () => {
      const body = trustBody(text);
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const message = deviceRequestMessage('trust', tokenId, body.timestamp, { serviceVds: text });
      const forged = sign('sha256', Buffer.from(message), privateKey).toString('base64');
      const response = await postTrust({ ...body, signatureBase64: forged }).expect(401);
      expect(response.body.code).toBe('invalid_signature');
    });

    it('refuses a timestamp 31 s old: 400 stale_timestamp', async () => {
      const body = device.signedRequest('trust', { serviceVds: text }, device.unixNow() - 31);
      expect((await postTrust(body).expect(400)).body.code).toBe('stale_timestamp');
    });

    it('refuses a replay: 409 replayed_request', async () => {
      const body = trustBody(text);
      await postTrust(body).expect(201);
      expect((await postTrust(body).expect(409)).body.code).toBe('replayed_request');
    });

    it('refuses a Service VDS self-signed by a key outside the trust store: 422 vds_unknown_signer', async () => {
      const forged = toVdsText(signService(await createTestSigner(), { sid: 'shop-trust' }));
      const response = await postTrust(trustBody(forged)).expect(422);
      expect(response.body.code).toBe('vds_unknown_signer');
    });

    it('refuses an expired Service VDS: 422 vds_expired', async () => {
      const signer = await server.app.get(TrustStore).signerFor(SERVICE_MANIFEST);
      const now = Math.floor(Date.now() / 1000);
      const payload: ServicePayload = servicePayload({
        sid: 'shop-trust',
        iat: now - 100 * 86_400,
        exp: now - 10 * 86_400,
        iss: server.env.config.issuerUrl,
      });
      const expired = signVds({
        iac: server.env.config.vdsIac,
        cin: VDS_ENVIRONMENT.test,
        manifestId: SERVICE_MANIFEST,
        certificateDer: signer.certificateDer,
        signingTime: payload.iat,
        payload,
        privateKey: signer.privateKey,
      });
      const response = await postTrust(trustBody(toVdsText(expired))).expect(422);
      expect(response.body.code).toBe('vds_expired');
    });

    it('refuses a Service VDS whose scp was edited after signing: 422 vds_bad_signature', async () => {
      const edited = toVdsText(flipBitInText(decodeVds(text).binary, 'identity:age_over_18'));
      const response = await postTrust(trustBody(edited)).expect(422);
      expect(response.body.code).toBe('vds_bad_signature');
    });

    it('disabling a service revokes its VDSs (vds_revoked), hides it from /vds and from the list', async () => {
      await createService('shop-gone');
      const gone = await serviceVdsOf('shop-gone');
      await trust(gone);
      const disabled = await http().delete('/admin/services/shop-gone').set(admin()).expect(200);
      expect(disabled.body.disabledAt).toEqual(expect.any(String));
      await http().get('/admin/services/shop-gone').set(admin()).expect(200);

      const refused = await postTrust(trustBody(gone)).expect(422);
      expect(refused.body.code).toBe('vds_revoked');
      expect((await http().get('/services/shop-gone/vds').expect(404)).body.code).toBe('not_found');
      expect((await listTrusted()).map((service) => service.serviceId)).not.toContain('shop-gone');
      await http().patch('/admin/services/shop-gone').set(admin()).send({ name: 'Back' }).expect(404);

      const events = await auditOf('shop-gone');
      const disabling = events.find((e) => e.type === 'service.disabled')!;
      expect(disabling.data.revokedVds).toEqual([decodeVds(gone).fingerprint]);
      const vrl = await server.app.get(TrustStore).revocationList();
      expect(vrl.fingerprints).toContain(decodeVds(gone).fingerprint);
    });
  });
});
