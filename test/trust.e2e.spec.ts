import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import request from 'supertest';
import { AuditTrail } from '#idtoken/audit';
import { DataSource } from 'typeorm';
import { TrustStore, certificatePem, generateDevPki, type PkiCredential } from '#idtoken/trust';
import {
  SERVICE_MANIFEST,
  IDENTITY_MANIFEST,
  VDS_ENVIRONMENT,
  signVds,
  verifyVds,
  vdsFingerprint,
  type ServicePayload,
} from '#idtoken/vds';
import { servicesUnderTest } from './support/test-env.js';
import { startTestApp, type RunningApp } from './support/test-app.js';
import { writeTrustFiles } from './support/trust-files.js';

const b64ToPem = (b64: string) => certificatePem(Buffer.from(b64, 'base64'));

/** Verifies a list's JWS as a client would: the key from x5c[0], which must be the anchor the client trusts. */
async function verifyListJws(jws: string, anchorB64: string, typ: string): Promise<unknown> {
  const header = decodeProtectedHeader(jws);
  expect(header).toMatchObject({ alg: 'ES256', typ });
  expect(header.x5c).toEqual([anchorB64]); // development: the anchor signs the lists itself
  const key = await importX509(b64ToPem(header.x5c![0]!), 'ES256');
  const { payload } = await compactVerify(jws, key, { algorithms: ['ES256'] });
  return JSON.parse(Buffer.from(payload).toString('utf8'));
}

async function tsl(server: RunningApp) {
  return (await request(server.baseUrl).get('/trust/tsl').expect(200)).body as {
    jws: string;
    issuer: string;
    issuedAt: number;
    nextUpdate: number;
    anchors: string[];
    certificates: string[];
  };
}

describe('trust lists over real HTTP (spec §2)', () => {
  let server: RunningApp;
  let dir: string;
  beforeAll(async () => {
    server = await startTestApp();
    dir = mkdtempSync(join(tmpdir(), 'idtoken-trust-e2e-'));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the TSL: the anchor, the CA and both signers, JWS-signed by the anchor, cacheable for at most 1 h', async () => {
    const response = await request(server.baseUrl).get('/trust/tsl').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('public, max-age=3600');
    const { jws, ...clear } = response.body;
    expect(clear.issuer).toBe(server.env.config.issuerUrl);
    expect(clear.nextUpdate - clear.issuedAt).toBeLessThanOrEqual(3600);
    expect(Math.abs(clear.issuedAt - Date.now() / 1000)).toBeLessThan(60);
    expect(clear.anchors).toHaveLength(1);
    expect(clear.certificates).toHaveLength(3);

    expect(await verifyListJws(jws, clear.anchors[0], 'idtoken-tsl+json')).toEqual(clear);
  });

  it('lists signers that openssl verifies against the anchor through the CA (independent peer)', async () => {
    const list = await tsl(server);
    const trust = server.app.get(TrustStore);
    const write = (name: string, der: Buffer) => {
      const path = join(dir, name);
      writeFileSync(path, certificatePem(der));
      return path;
    };
    const anchorFile = write('anchor.pem', Buffer.from(list.anchors[0]!, 'base64'));
    for (const manifestId of [IDENTITY_MANIFEST, SERVICE_MANIFEST] as const) {
      const { certificateDer, chainDer } = await trust.signerFor(manifestId);
      expect(list.certificates).toContain(certificateDer.toString('base64'));
      expect(list.certificates).toContain(chainDer[1]!.toString('base64'));
      const signerFile = write(`signer-${manifestId}.pem`, certificateDer);
      const output = execFileSync(
        'openssl',
        ['verify', '-CAfile', anchorFile, '-untrusted', write('ca.pem', chainDer[1]!), signerFile],
        { encoding: 'utf8' },
      );
      expect(output.trim()).toBe(`${signerFile}: OK`);
    }
  });

  it('serves the VRL, JWS-signed, and lists a revoked fingerprint as soon as it is revoked here', async () => {
    const fingerprint = 'e1'.repeat(32);
    const before = await request(server.baseUrl).get('/trust/vrl').expect(200);
    expect(before.headers['cache-control']).toBe('public, max-age=300');
    expect(before.body.revokedFingerprints).not.toContain(fingerprint);

    const trust = server.app.get(TrustStore);
    expect(await trust.revokeFingerprint(fingerprint, 'compromised', 'admin:e2e')).toBe(true);

    const after = await request(server.baseUrl).get('/trust/vrl').expect(200);
    const { jws, ...clear } = after.body;
    expect(clear.revokedFingerprints).toContain(fingerprint);
    expect(clear.nextUpdate - clear.issuedAt).toBeLessThanOrEqual(3600);
    const anchor = (await tsl(server)).anchors[0]!;
    expect(await verifyListJws(jws, anchor, 'idtoken-vrl+json')).toEqual(clear);
    const events = await server.app.get(AuditTrail).list({ subject: fingerprint });
    expect(events).toEqual([expect.objectContaining({ type: 'trust.vds_revoked', actor: 'admin:e2e' })]);
  });

  it('verifies a Service VDS signed with the server’s key through libs/vds, and refuses it once revoked', async () => {
    const trust = server.app.get(TrustStore);
    const { certificateDer, privateKey } = await trust.signerFor(SERVICE_MANIFEST);
    const now = Math.floor(Date.now() / 1000);
    const payload: ServicePayload = {
      sid: 'demo-rp',
      name: 'Demo RP',
      url: 'https://rp.example',
      logo: 'https://rp.example/logo.png',
      scp: ['identity:basic'],
      iat: now,
      exp: now + 3600,
      iss: server.env.config.issuerUrl,
    };
    const vds = signVds({
      iac: server.env.config.vdsIac,
      cin: VDS_ENVIRONMENT.test,
      manifestId: SERVICE_MANIFEST,
      certificateDer,
      signingTime: now,
      payload,
      privateKey,
    });
    const options = { trust, now: new Date(), expectedManifestId: SERVICE_MANIFEST } as const;
    await expect(verifyVds(vds, options)).resolves.toMatchObject({ payload: { sid: 'demo-rp' } });

    await trust.revokeFingerprint(vdsFingerprint(vds), 'compromised', 'admin:e2e');
    await expect(verifyVds(vds, options)).rejects.toMatchObject({ code: 'vds_revoked' });
  });

  it('describes both lists in the OpenAPI document', async () => {
    const document = await request(server.baseUrl).get('/docs/openapi.json').expect(200);
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/trust/tsl', '/trust/vrl']));
    expect(document.body.components.schemas.RevocationListDocument.required).toEqual(
      expect.arrayContaining(['jws', 'revokedFingerprints', 'revokedCertificateReferences']),
    );
  });
});

describe('the development PKI across a restart', () => {
  // Two boots on an embedded database created from nothing (initdb in WebAssembly, every migration): a busy machine
  // needs more than the default 30 s.
  it('is generated on the first boot and reused on the next one with the same DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'idtoken-trust-restart-'));
    // Embedded PGlite in that folder, and the same master secret, as a developer's `npm start` twice.
    const settings = { DATA_DIR: dataDir, DATABASE_URL: undefined, IDTOKEN_MASTER_SECRET: 'cd'.repeat(32) };
    try {
      const first = await startTestApp(settings);
      const before = await tsl(first);
      await first.close();

      const second = await startTestApp(settings);
      const after = await tsl(second);
      await second.close();

      expect(after.anchors).toEqual(before.anchors);
      expect(after.certificates).toEqual(before.certificates);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('trust material from files (the production path)', () => {
  it('serves what the files hold, generates nothing, and signs the lists with the trust-list signer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idtoken-trust-files-e2e-'));
    const pki = await generateDevPki(new Date());
    const { settings, listSigner } = await writeTrustFiles(dir, pki);
    const cert = (credential: PkiCredential) => {
      const path = join(dir, `${credential.certificate.serialNumber}.pem`);
      writeFileSync(path, certificatePem(credential.certificateDer));
      return path;
    };
    const server = await startTestApp(settings);
    try {
      const list = await tsl(server);
      expect(list.anchors).toEqual([pki.anchor.certificateDer.toString('base64')]);
      const header = decodeProtectedHeader(list.jws);
      expect(header.x5c).toEqual([
        listSigner.certificateDer.toString('base64'),
        pki.ca.certificateDer.toString('base64'),
      ]);
      await compactVerify(list.jws, await importX509(b64ToPem(header.x5c![0]!), 'ES256'));
      const output = execFileSync(
        'openssl',
        ['verify', '-CAfile', cert(pki.anchor), '-untrusted', cert(pki.ca), cert(listSigner)],
        { encoding: 'utf8' },
      );
      expect(output.trim()).toMatch(/: OK$/);

      const generated: unknown[] = await server.app
        .get(DataSource)
        .query(
          `SELECT 1 FROM key_material WHERE purpose IN ('trust-anchor', 'trust-ca', 'identity-vds-signer', 'service-vds-signer')`,
        );
      expect(generated).toEqual([]);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Two nodes need a database both can reach (PGlite is one per process) and a shared Redis.
const withSharedServices = servicesUnderTest.databaseUrl && servicesUnderTest.redisUrl ? it : it.skip;

describe('two nodes sharing the database and Redis', () => {
  withSharedServices('reports a fingerprint revoked on one node as revoked on the other within seconds', async () => {
    const first = await startTestApp();
    let second: RunningApp | undefined;
    try {
      second = await startTestApp({
        DATABASE_URL: first.env.config.databaseUrl,
        REDIS_PREFIX: first.env.config.redisPrefix,
        IDTOKEN_MASTER_SECRET: first.env.config.masterSecret.toString('hex'),
      });
      expect((await tsl(second)).anchors).toEqual((await tsl(first)).anchors);

      const fingerprint = 'a7'.repeat(32);
      const secondTrust = second.app.get(TrustStore);
      expect(await secondTrust.isRevoked(fingerprint)).toBe(false); // its cache is now warm

      const revokedAt = Date.now();
      await first.app.get(TrustStore).revokeFingerprint(fingerprint, 'compromised', 'admin:e2e');
      // Well inside the 30 s cache fallback: only the trust:changed message can make this pass.
      while (!(await secondTrust.isRevoked(fingerprint)) && Date.now() - revokedAt < 5_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(Date.now() - revokedAt).toBeLessThan(5_000);
      const vrl = await request(second.baseUrl).get('/trust/vrl').expect(200);
      expect(vrl.body.revokedFingerprints).toContain(fingerprint);
    } finally {
      await second?.close();
      await first.close();
    }
  });
});
