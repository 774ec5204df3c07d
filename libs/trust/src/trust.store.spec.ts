import { X509Certificate as NodeX509Certificate, generateKeyPairSync, sign, verify } from 'node:crypto';
import { DomainError, InProcessBackend, InProcessStore } from '#idtoken/platform';
import { certificateReferenceHex } from './certificate-reference.js';
import { generateDevPki, type DevPki } from './pki/dev-pki.js';
import { devPkiMaterial } from './pki/dev-pki.source.js';
import { TrustMaterialSource, type TrustMaterial } from './pki/trust-material.js';
import { RevocationList } from './revocation/revocation-list.js';
import { InMemoryRevocations } from './testing/in-memory-revocations.js';
import { TrustChanges } from './trust-changes.js';
import { TrustStore } from './trust.store.js';
import { IDENTITY_MANIFEST, SERVICE_MANIFEST, certificateReference, type VdsSigner } from './vds-contract.js';

class FixedSource extends TrustMaterialSource {
  readonly kind = 'development';
  constructor(public material: TrustMaterial) {
    super();
  }
  async load(): Promise<TrustMaterial> {
    return this.material;
  }
}

const FINGERPRINT = 'ab'.repeat(32);

describe('TrustStore', () => {
  let pki: DevPki;
  let backend: InProcessBackend;
  let source: FixedSource;
  let records: InMemoryRevocations;
  let changes: TrustChanges;
  let trust: TrustStore;
  const signerOf = (credential: DevPki['ca']): VdsSigner => ({
    certificateDer: new Uint8Array(credential.certificateDer),
    publicKey: new NodeX509Certificate(credential.certificateDer).publicKey,
  });

  beforeAll(async () => {
    pki = await generateDevPki(new Date());
  });
  beforeEach(async () => {
    backend = new InProcessBackend();
    source = new FixedSource(devPkiMaterial(pki));
    records = new InMemoryRevocations();
    changes = new TrustChanges(new InProcessStore(backend, false));
    const revocations = new RevocationList(records, changes);
    trust = await TrustStore.open({ source, revocations, changes });
    await changes.start();
  });
  afterEach(async () => {
    await trust.close();
    backend.dispose();
  });

  it('finds each signing certificate of the list by its certificate reference (spec §2 step 3)', async () => {
    for (const credential of [pki.ca, pki.identityVdsSigner, pki.serviceVdsSigner]) {
      const found = await trust.findSigner(certificateReference(credential.certificateDer));
      expect(Buffer.from(found!.certificateDer)).toEqual(credential.certificateDer);
      expect(found!.publicKey.export({ format: 'jwk' })).toEqual(
        new NodeX509Certificate(credential.certificateDer).publicKey.export({ format: 'jwk' }),
      );
    }
    expect(await trust.findSigner(Buffer.alloc(8))).toBeUndefined();
  });

  it('trusts the identity signer for identity VDSs and the Service-VDS signer for Service VDSs only', async () => {
    const now = new Date();
    await expect(trust.checkSigner(signerOf(pki.identityVdsSigner), IDENTITY_MANIFEST, now)).resolves.toBeUndefined();
    await expect(trust.checkSigner(signerOf(pki.serviceVdsSigner), SERVICE_MANIFEST, now)).resolves.toBeUndefined();
    await expect(trust.checkSigner(signerOf(pki.identityVdsSigner), SERVICE_MANIFEST, now)).rejects.toMatchObject({
      code: 'vds_untrusted_signer',
      extensions: { check: 'usage_list_mismatch' },
    });
  });

  it('refuses a signer whose public key is not its certificate’s', async () => {
    const signer = {
      ...signerOf(pki.identityVdsSigner),
      publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
    };
    await expect(trust.checkSigner(signer, IDENTITY_MANIFEST, new Date())).rejects.toMatchObject({
      extensions: { check: 'public_key_mismatch' },
    });
  });

  it('judges time and the VRL afresh on every check of the same signer, however often it passed before', async () => {
    const signer = await trust.findSigner(certificateReference(pki.serviceVdsSigner.certificateDer));
    if (!signer) throw new Error('the Service VDS signer is not in the trust list');
    const now = new Date();
    for (let i = 0; i < 3; i += 1)
      await expect(trust.checkSigner(signer, SERVICE_MANIFEST, now)).resolves.toBeUndefined();
    // The structural verdict is kept per manifest: another manifest is judged on its own.
    await expect(trust.checkSigner(signer, IDENTITY_MANIFEST, now)).rejects.toMatchObject({
      extensions: { check: 'usage_list_mismatch' },
    });
    await expect(trust.checkSigner(signer, SERVICE_MANIFEST, new Date('2199-01-01'))).rejects.toMatchObject({
      extensions: { check: 'outside_validity' },
    });
    await trust.revokeCertificate(certificateReference(pki.serviceVdsSigner.certificateDer), 'key compromise', 'test');
    await expect(trust.checkSigner(signer, SERVICE_MANIFEST, now)).rejects.toMatchObject({
      extensions: { check: 'certificate_revoked' },
    });
  });

  it('refuses a signer whose CA is revoked by certificate reference, at once', async () => {
    expect(await trust.revokeCertificate(certificateReference(pki.ca.certificateDer), 'key compromise', 'test')).toBe(
      true,
    );
    await expect(
      trust.checkSigner(signerOf(pki.identityVdsSigner), IDENTITY_MANIFEST, new Date()),
    ).rejects.toMatchObject({
      extensions: { check: 'certificate_revoked' },
    });
    expect((await trust.revocationList()).certificateReferences).toEqual([
      certificateReferenceHex(pki.ca.certificateDer),
    ]);
  });

  it('tells whether a signer, or a certificate above it, is revoked (the enrollments it signed for stop: F3)', async () => {
    const identity = certificateReferenceHex(pki.identityVdsSigner.certificateDer);
    const service = certificateReferenceHex(pki.serviceVdsSigner.certificateDer);
    const unknown = 'ab'.repeat(8);
    expect(await trust.isSignerRevoked(identity)).toBe(false);
    await trust.revokeCertificate(service, 'key compromise', 'test');
    expect([await trust.isSignerRevoked(service.toUpperCase()), await trust.isSignerRevoked(identity)]).toEqual([
      true,
      false,
    ]);
    // The CA above both: every signer under it counts as revoked.
    await trust.revokeCertificate(certificateReferenceHex(pki.ca.certificateDer), 'key compromise', 'test');
    expect(await trust.isSignerRevoked(identity)).toBe(true);
    // A signer no longer in the material is judged by its own reference alone.
    expect(await trust.isSignerRevoked(unknown)).toBe(false);
    await trust.revokeCertificate(unknown, 'key compromise', 'test');
    expect(await trust.isSignerRevoked(unknown)).toBe(true);
  });

  it('reports a revoked fingerprint as soon as revokeFingerprint resolves, whatever its case', async () => {
    expect(await trust.isRevoked(FINGERPRINT)).toBe(false);
    expect(
      await trust.revokeFingerprint(FINGERPRINT.toUpperCase(), 'compromised', 'admin:k1', undefined, {
        requestId: 'r1',
      }),
    ).toBe(true);
    expect(await trust.isRevoked(FINGERPRINT)).toBe(true);
    expect(await trust.isRevoked(FINGERPRINT.toUpperCase())).toBe(true);
    expect(records.fingerprints.get(FINGERPRINT)).toEqual({
      reason: 'compromised',
      actor: 'admin:k1',
      requestId: 'r1',
      ip: undefined,
    });
    expect(await trust.revokeFingerprint(FINGERPRINT, 'again', 'admin:k1')).toBe(false);
  });

  it('announces a revocation on trust:changed, so other nodes reload', async () => {
    const other = new TrustChanges(new InProcessStore(backend, false));
    const heard = new Promise((resolve) => other.onChange(resolve));
    await other.start();
    await trust.revokeFingerprint(FINGERPRINT, 'compromised', 'test');
    await expect(heard).resolves.toBe('revocations');
    await other.stop();
  });

  it.each([
    ['a short fingerprint', () => trust.revokeFingerprint('abc', 'r', 'a')],
    ['a non-hex fingerprint', () => trust.revokeFingerprint('zz'.repeat(32), 'r', 'a')],
    ['an empty reason', () => trust.revokeFingerprint(FINGERPRINT, '  ', 'a')],
    ['a reason over 200 characters', () => trust.revokeFingerprint(FINGERPRINT, 'x'.repeat(201), 'a')],
    ['no actor', () => trust.revokeFingerprint(FINGERPRINT, 'r', '')],
    ['a 7-byte certificate reference', () => trust.revokeCertificate(Buffer.alloc(7), 'r', 'a')],
  ])('refuses to revoke with %s (invalid_request)', async (_, attempt) => {
    await expect(attempt()).rejects.toBeInstanceOf(DomainError);
    await expect(attempt()).rejects.toMatchObject({ code: 'invalid_request' });
    expect(records.fingerprints.size + records.certificates.size).toBe(0);
  });

  it('hands out the identity and Service-VDS signing keys with their chain (signer, CA)', async () => {
    for (const [manifestId, credential] of [
      [IDENTITY_MANIFEST, pki.identityVdsSigner],
      [SERVICE_MANIFEST, pki.serviceVdsSigner],
    ] as const) {
      const key = await trust.signerFor(manifestId);
      expect(key.certificateDer).toEqual(credential.certificateDer);
      expect(key.chainDer).toEqual([credential.certificateDer, pki.ca.certificateDer]);
      const signature = sign('sha256', Buffer.from('probe'), key.privateKey);
      expect(
        verify('sha256', Buffer.from('probe'), new NodeX509Certificate(key.certificateDer).publicKey, signature),
      ).toBe(true);
    }
  });

  it('signs the trust lists with the development anchor, whose chain is the anchor alone', () => {
    expect(trust.trustListSigner().chainDer).toEqual([pki.anchor.certificateDer]);
    expect(trust.trustServiceList()).toEqual({
      anchors: [pki.anchor.certificateDer],
      certificates: [pki.ca.certificateDer, pki.identityVdsSigner.certificateDer, pki.serviceVdsSigner.certificateDer],
    });
  });

  it('reloads its material when a node announces a new PKI', async () => {
    const next = await generateDevPki(new Date());
    source.material = devPkiMaterial(next);
    const reloaded = new Promise((resolve) => changes.onChange(resolve));
    await changes.publish('pki');
    await reloaded;
    // The store's own listener (registered first) reloads asynchronously: wait for its result, with a deadline.
    const deadline = Date.now() + 5_000;
    while (trust.trustServiceList().anchors[0]!.equals(pki.anchor.certificateDer) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(trust.trustServiceList().anchors).toEqual([next.anchor.certificateDer]);
    expect(await trust.findSigner(certificateReference(pki.identityVdsSigner.certificateDer))).toBeUndefined();
  });
});
