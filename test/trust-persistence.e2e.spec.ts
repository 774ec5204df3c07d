import { DataSource, type EntityManager } from 'typeorm';
import { AuditTrail, type AuditEventInput } from '#idtoken/audit';
import { KeyMaterialStore } from '#idtoken/keys';
import { InProcessBackend, InProcessStore, SecretBox, dataSourceOptions } from '#idtoken/platform';
import { DevPkiRepository, TrustChanges, certificateReferenceHex } from '#idtoken/trust';
import { TrustRevocationList1795726007749 } from '../migrations/1795726007749-trust-revocation-list.js';
import { persistence } from '../apps/idp/src/persistence.js';
import { DevPkiSource } from '../libs/trust/src/pki/dev-pki.source.js';
import { RevocationList } from '../libs/trust/src/revocation/revocation-list.js';
import { RevocationRepository } from '../libs/trust/src/revocation/revocation.repository.js';
import { createTestEnvironment, servicesUnderTest, type TestEnvironment } from './support/test-env.js';

const FINGERPRINT = '0f'.repeat(32);
const BY = { reason: 'compromised', actor: 'admin:k1', requestId: 'req-1', ip: '10.0.0.1' };

/** An audit trail whose writes fail: the revocation in the same transaction must not survive. */
class FailingAuditTrail extends AuditTrail {
  override async record(_event: AuditEventInput, _manager?: EntityManager): Promise<string> {
    throw new Error('audit store refused the event');
  }
}

// The same suite runs on embedded PGlite and, when DATABASE_URL is given (CI), on a real PostgreSQL.
const engines: [string, Record<string, string | undefined>][] = [['PGlite', { DATABASE_URL: undefined }]];
if (servicesUnderTest.databaseUrl) engines.push(['PostgreSQL', {}]);

describe.each(engines)('trust store persistence on %s', (_engine, overrides) => {
  let env: TestEnvironment;
  let dataSource: DataSource;
  let audit: AuditTrail;
  let keys: KeyMaterialStore;

  beforeAll(async () => {
    env = await createTestEnvironment(overrides, { emptyDatabase: true });
    dataSource = await new DataSource(dataSourceOptions(env.config, persistence)).initialize();
    await dataSource.runMigrations();
    audit = new AuditTrail(dataSource);
    keys = new KeyMaterialStore(dataSource, new SecretBox(env.config.masterSecret));
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await env?.dispose();
  });

  it('migrates the revocation tables down and up again', async () => {
    const migration = new TrustRevocationList1795726007749();
    const runner = dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect(await runner.hasTable('trust_revoked_fingerprints')).toBe(false);
      expect(await runner.hasTable('trust_revoked_certificates')).toBe(false);
      await migration.up(runner);
      expect(await runner.hasTable('trust_revoked_fingerprints')).toBe(true);
      expect(await runner.hasTable('trust_revoked_certificates')).toBe(true);
    } finally {
      await runner.release();
    }
  });

  it('refuses, in the database itself, entries that are not lower-case hex of the right length', async () => {
    const insert = (table: string, column: string, value: string) =>
      dataSource.query(`INSERT INTO ${table} (${column}, reason, revoked_by) VALUES ($1, 'r', 'a')`, [value]);
    await expect(insert('trust_revoked_fingerprints', 'fingerprint', 'AB'.repeat(32))).rejects.toThrow(/check/);
    await expect(insert('trust_revoked_fingerprints', 'fingerprint', 'ab'.repeat(31))).rejects.toThrow(/check/);
    await expect(insert('trust_revoked_certificates', 'certificate_reference', 'ab'.repeat(9))).rejects.toThrow(
      /check/,
    );
  });

  it('records a revocation and its audit event together, once', async () => {
    const repository = new RevocationRepository(dataSource, audit);
    expect(await repository.revokeFingerprint(FINGERPRINT, BY)).toBe(true);
    expect(await repository.revokeFingerprint(FINGERPRINT, { ...BY, reason: 'again' })).toBe(false);
    expect(await repository.revokeCertificate('0123456789abcdef', BY)).toBe(true);

    expect(await repository.load()).toEqual({
      fingerprints: [FINGERPRINT],
      certificateReferences: ['0123456789abcdef'],
    });
    expect(await audit.list({ subject: FINGERPRINT })).toEqual([
      expect.objectContaining({
        type: 'trust.vds_revoked',
        actor: 'admin:k1',
        requestId: 'req-1',
        ip: '10.0.0.1',
        data: { reason: 'compromised' },
      }),
    ]);
    expect(await audit.list({ type: 'trust.certificate_revoked' })).toHaveLength(1);
  });

  it('rolls the revocation back when its audit event cannot be written', async () => {
    const repository = new RevocationRepository(dataSource, new FailingAuditTrail(dataSource));
    const fingerprint = '1e'.repeat(32);
    await expect(repository.revokeFingerprint(fingerprint, BY)).rejects.toThrow('audit store refused the event');
    expect((await new RevocationRepository(dataSource, audit).load()).fingerprints).not.toContain(fingerprint);
  });

  it('lets a second node sharing database and store see a revocation once it is announced', async () => {
    const backend = new InProcessBackend();
    const node = () => {
      const changes = new TrustChanges(new InProcessStore(backend, false));
      return { changes, list: new RevocationList(new RevocationRepository(dataSource, audit), changes) };
    };
    const [a, b] = [node(), node()];
    try {
      await Promise.all([a.changes.start(), b.changes.start()]);
      await a.list.reload();
      await b.list.reload();
      const fingerprint = '2d'.repeat(32);
      const heard = new Promise((resolve) => b.changes.onChange(resolve));
      await a.list.revokeFingerprint(fingerprint, BY);
      expect((await a.list.current()).fingerprints.has(fingerprint)).toBe(true);
      await heard;
      // b reloads on its own when the message arrives; wait for that, never for a fixed time.
      const deadline = Date.now() + 2_000;
      while (!(await b.list.current()).fingerprints.has(fingerprint) && Date.now() < deadline) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect((await b.list.current()).fingerprints.has(fingerprint)).toBe(true);
    } finally {
      await a.changes.stop();
      await b.changes.stop();
      backend.dispose();
    }
  });

  describe("inside the caller's transaction (e.g. an enrollment revoked with its VDS)", () => {
    let backend: InProcessBackend;
    let announced: string[];
    let list: RevocationList;
    let repository: RevocationRepository;

    beforeEach(async () => {
      backend = new InProcessBackend();
      const changes = new TrustChanges(new InProcessStore(backend, false));
      announced = [];
      const listener = new TrustChanges(new InProcessStore(backend, false));
      listener.onChange((change) => announced.push(change));
      await listener.start();
      repository = new RevocationRepository(dataSource, audit);
      list = new RevocationList(repository, changes);
      await list.reload();
    });
    afterEach(() => {
      list.close();
      backend.dispose();
    });

    it('commits with the caller, then shows and announces the revocation', async () => {
      const fingerprint = '3c'.repeat(32);
      await dataSource.transaction(async (manager) => {
        await audit.record({ type: 'enrollment.revoked', subject: 'tok-1' }, manager);
        expect(await list.revokeFingerprint(fingerprint, BY, manager)).toBe(true);
        expect(announced).toEqual([]); // not before the commit
      });
      expect((await list.current()).fingerprints.has(fingerprint)).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(announced).toEqual(['revocations']);
      expect(await audit.list({ subject: fingerprint })).toHaveLength(1);
    });

    it('rolls back with the caller: nothing listed, nothing audited, nothing announced', async () => {
      const fingerprint = '4b'.repeat(32);
      await expect(
        dataSource.transaction(async (manager) => {
          await list.revokeFingerprint(fingerprint, BY, manager);
          throw new Error('enrollment update failed');
        }),
      ).rejects.toThrow('enrollment update failed');
      expect((await list.current()).fingerprints.has(fingerprint)).toBe(false);
      expect(await repository.load()).toEqual(
        expect.objectContaining({ fingerprints: expect.not.arrayContaining([fingerprint]) }),
      );
      expect(await audit.list({ subject: fingerprint })).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(announced).toEqual([]);
    });
  });

  describe('development PKI in key_material', () => {
    const now = new Date();

    it('is generated once, sealed at rest, and reused afterwards', async () => {
      const repository = new DevPkiRepository(keys, audit);
      expect(await repository.current(now)).toBeUndefined();
      const first = await new DevPkiSource(repository, () => now).load();
      const again = await new DevPkiSource(new DevPkiRepository(keys, audit), () => now).load();
      expect(again.anchors[0]!.rawData).toEqual(first.anchors[0]!.rawData);
      expect(again.certificates.map((c) => c.rawData)).toEqual(first.certificates.map((c) => c.rawData));

      const rows: { purpose: string; sealed: Buffer }[] = await dataSource.query(
        `SELECT purpose, sealed_private_key AS sealed FROM key_material WHERE purpose IN ('trust-anchor', 'trust-ca', 'identity-vds-signer', 'service-vds-signer') ORDER BY created_at`,
      );
      expect(rows.map((row) => row.purpose)).toEqual([
        'trust-ca',
        'identity-vds-signer',
        'service-vds-signer',
        'trust-anchor',
      ]);
      const anchorKey = first.trustListSigner.privateKey.export({ format: 'der', type: 'pkcs8' });
      expect(Buffer.from(rows[3]!.sealed).includes(anchorKey.subarray(-32))).toBe(false);
      expect(await audit.list({ type: 'trust.dev_pki_generated' })).toHaveLength(1);
    });

    it('settles on one PKI when two nodes generate at the same time, retiring the other', async () => {
      const repository = new DevPkiRepository(keys, audit);
      await repository.retireAll(now);
      const [a, b] = [new DevPkiRepository(keys, audit), new DevPkiRepository(keys, audit)];
      // Both save a complete PKI; both then use the one whose anchor row was written first.
      const [first, second] = await Promise.all([a.create(now, 'node-a'), b.create(now, 'node-b')]);
      expect(second.anchor.certificateDer).toEqual(first.anchor.certificateDer);
      const active = (await keys.list('trust-anchor')).filter((key) => key.retiredAt === null);
      expect(active.map((key) => key.kid)).toEqual([
        `trust-anchor:${certificateReferenceHex(first.anchor.certificateDer)}`,
      ]);
      expect(await audit.list({ type: 'trust.dev_pki_generated' })).toHaveLength(3);
    });

    it('ignores an incomplete generation and one that is no longer valid', async () => {
      const repository = new DevPkiRepository(keys, audit);
      const current = (await repository.current(now))!;
      expect(
        await repository.current(new Date(current.identityVdsSigner.certificate.notAfter.getTime() + 1000)),
      ).toBeUndefined();
      await keys.retire(`trust-ca:${certificateReferenceHex(current.anchor.certificateDer)}`);
      expect(await repository.current(now)).toBeUndefined();
    });
  });
});
