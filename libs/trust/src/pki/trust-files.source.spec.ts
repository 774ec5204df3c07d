import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '#idtoken/platform';
import { trustMaterialSource } from '../trust-store.provider.js';
import { IDENTITY_MANIFEST, SERVICE_MANIFEST } from '../vds-contract.js';
import { generateDevPki, type DevPki } from './dev-pki.js';
import { issueCertificate } from './issue-certificate.js';
import type { PkiCredential } from './pki-credential.js';
import { TrustFilesSource, type TrustFiles } from './trust-files.source.js';

const pem = (...credentials: PkiCredential[]) => credentials.map((c) => c.certificate.toString('pem')).join('\n');
const keyPem = (credential: PkiCredential) => credential.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

describe('TrustFilesSource (production trust material)', () => {
  let dir: string;
  let pki: DevPki;
  let listSigner: PkiCredential;
  let files: TrustFiles;
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const load = (overrides: Partial<TrustFiles> = {}) => new TrustFilesSource({ ...files, ...overrides }).load();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idtoken-trust-files-'));
    pki = await generateDevPki(new Date());
    listSigner = await issueCertificate({
      role: 'signer',
      subject: 'CN=Trust list signer',
      issuer: pki.ca,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
    });
    files = {
      anchors: write('anchors.pem', pem(pki.anchor)),
      certificates: write('cas.pem', pem(pki.ca)),
      identityVdsSigner: {
        keyFile: write('identity.key', keyPem(pki.identityVdsSigner)),
        certFile: write('identity.pem', pem(pki.identityVdsSigner)),
      },
      serviceVdsSigner: {
        keyFile: write('service.key', keyPem(pki.serviceVdsSigner)),
        certFile: write('service.pem', pem(pki.serviceVdsSigner)),
      },
      trustListSigner: {
        keyFile: write('lists.key', keyPem(listSigner)),
        certFile: write('lists.pem', pem(listSigner)),
      },
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads anchors, the CA and signing certificates, and the three signing keys', async () => {
    const material = await load();
    const der = (credential: PkiCredential) => credential.certificateDer;
    expect(material.anchors.map((c) => Buffer.from(c.rawData))).toEqual([der(pki.anchor)]);
    expect(material.certificates.map((c) => Buffer.from(c.rawData))).toEqual([
      der(pki.ca),
      der(pki.identityVdsSigner),
      der(pki.serviceVdsSigner),
    ]);
    expect(material.vdsSigners.get(IDENTITY_MANIFEST)!.certificateDer).toEqual(der(pki.identityVdsSigner));
    expect(material.vdsSigners.get(SERVICE_MANIFEST)!.certificateDer).toEqual(der(pki.serviceVdsSigner));
    expect(material.trustListSigner.certificateDer).toEqual(der(listSigner));
  });

  it('takes the CA from a certificate file that carries its chain, without TRUST_CERTIFICATES_FILE', async () => {
    const material = await load({
      certificates: undefined,
      identityVdsSigner: {
        ...files.identityVdsSigner,
        certFile: write('identity-chain.pem', pem(pki.identityVdsSigner, pki.ca, pki.anchor)),
      },
    });
    expect(material.certificates).toHaveLength(3);
    expect(material.anchors).toHaveLength(1);
  });

  it.each<[string, () => Partial<TrustFiles>, RegExp]>([
    [
      'a missing anchors file',
      () => ({ anchors: join(dir, 'nope.pem') }),
      /^Invalid configuration: TRUST_ANCHORS_FILE cannot be read: ENOENT \(/,
    ],
    [
      'an anchors file without certificates',
      () => ({ anchors: write('empty.pem', 'hello\n') }),
      /^Invalid configuration: TRUST_ANCHORS_FILE holds no PEM certificate/,
    ],
    [
      'a private key in the certificates file',
      () => ({ certificates: write('key-as-cert.pem', keyPem(pki.ca)) }),
      /^Invalid configuration: TRUST_CERTIFICATES_FILE block 1 is "PRIVATE KEY", not a CERTIFICATE/,
    ],
    [
      'another key than the certificate’s',
      () => ({ identityVdsSigner: { ...files.identityVdsSigner, keyFile: files.serviceVdsSigner.keyFile } }),
      /^Invalid configuration: IDENTITY_VDS_SIGNER_KEY_FILE does not hold the private key of IDENTITY_VDS_SIGNER_CERT_FILE$/,
    ],
    [
      'a P-384 key',
      () => ({
        serviceVdsSigner: {
          ...files.serviceVdsSigner,
          keyFile: write(
            'p384.key',
            generateKeyPairSync('ec', { namedCurve: 'P-384' })
              .privateKey.export({ format: 'pem', type: 'pkcs8' })
              .toString(),
          ),
        },
      }),
      /^Invalid configuration: SERVICE_VDS_SIGNER_KEY_FILE is not an ECDSA P-256 private key/,
    ],
    [
      'the identity signer as Service-VDS signer',
      () => ({ serviceVdsSigner: files.identityVdsSigner }),
      /^Invalid configuration: SERVICE_VDS_SIGNER_CERT_FILE is not trusted: .* may not sign manifest 0x0A0002$/,
    ],
    [
      'signers whose CA is not listed',
      () => ({ certificates: undefined }),
      /^Invalid configuration: IDENTITY_VDS_SIGNER_CERT_FILE is not trusted: .* does not chain to a configured trust anchor$/,
    ],
  ])('refuses %s with one line naming the setting', async (_, overrides, message) => {
    const attempt = load(overrides());
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('refuses a trust-list signer that does not chain to an anchor', async () => {
    const stranger = await issueCertificate({
      role: 'anchor',
      subject: 'CN=Stranger',
      notBefore: new Date(Date.now() - 1000),
      notAfter: new Date(Date.now() + 86_400_000),
    });
    await expect(
      load({
        trustListSigner: {
          keyFile: write('stranger.key', keyPem(stranger)),
          certFile: write('stranger.pem', pem(stranger)),
        },
      }),
    ).rejects.toThrow(
      /^Invalid configuration: TRUST_LIST_SIGNER_CERT_FILE is not trusted: "CN=Stranger" does not chain to a configured trust anchor$/,
    );
  });

  it('is required in production: no development PKI is ever generated there', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      ISSUER_URL: 'https://idp.example',
      IDTOKEN_MASTER_SECRET: 'ab'.repeat(32),
      DATA_DIR: dir,
    });
    const attempt = () => trustMaterialSource(config, undefined as never, undefined as never, undefined as never);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^Invalid configuration: TRUST_ANCHORS_FILE is required when NODE_ENV=production/);
  });
});
