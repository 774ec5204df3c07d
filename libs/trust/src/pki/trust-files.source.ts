import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { X509Certificate } from '@peculiar/x509';
import { ConfigError, type AppConfig } from '#idtoken/platform';
import { sameCertificate } from '../chain/build-path.js';
import { validateListSignerChain, validateSignerChain } from '../chain/validate-signer-chain.js';
import { IDENTITY_MANIFEST, SERVICE_MANIFEST, type ManifestId } from '../vds-contract.js';
import { parseCertificateBundle, parseP256PrivateKey } from './pem.js';
import type { PkiCredential } from './pki-credential.js';
import { TrustMaterialSource, type TrustMaterial } from './trust-material.js';

export type TrustFiles = NonNullable<AppConfig['trustFiles']>;

/** Boot refuses the files with one line naming the setting, like the rest of the configuration. */
const invalid = (setting: string, problem: string) => new ConfigError(`Invalid configuration: ${setting} ${problem}`);

function readSetting<T>(setting: string, path: string, parse: (text: string) => T): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid(setting, `cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)} (${path})`);
  }
  try {
    return parse(text);
  } catch (error) {
    throw invalid(setting, `${error instanceof Error ? error.message : String(error)} (${path})`);
  }
}

/** A signer's certificate file (the certificate first, optionally followed by its CA chain) and key file. */
function readCredential(prefix: string, files: { keyFile: string; certFile: string }) {
  const [certificate, ...chain] = readSetting(`${prefix}_CERT_FILE`, files.certFile, parseCertificateBundle);
  const privateKey = readSetting(`${prefix}_KEY_FILE`, files.keyFile, parseP256PrivateKey);
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  if (!spki.equals(Buffer.from(certificate.publicKey.rawData))) {
    throw invalid(`${prefix}_KEY_FILE`, `does not hold the private key of ${prefix}_CERT_FILE`);
  }
  const credential: PkiCredential = {
    certificate,
    certificateDer: Buffer.from(certificate.rawData),
    privateKey,
  };
  return { credential, chain };
}

function withoutDuplicates(certificates: X509Certificate[], exclude: X509Certificate[]): X509Certificate[] {
  const kept: X509Certificate[] = [];
  for (const certificate of certificates) {
    if (![...exclude, ...kept].some((other) => sameCertificate(other, certificate))) kept.push(certificate);
  }
  return kept;
}

/**
 * Production adapter: anchors, CA and signing certificates and this server's signing keys from PEM files
 * (nothing is generated). At boot, each signer must chain to an anchor and be valid now — a server that
 * would issue untrusted credentials refuses to start instead.
 */
export class TrustFilesSource extends TrustMaterialSource {
  readonly kind = 'files';

  constructor(
    private readonly files: TrustFiles,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  async load(): Promise<TrustMaterial> {
    const anchors = readSetting('TRUST_ANCHORS_FILE', this.files.anchors, parseCertificateBundle);
    const listed = this.files.certificates
      ? readSetting('TRUST_CERTIFICATES_FILE', this.files.certificates, parseCertificateBundle)
      : [];
    const identity = readCredential('IDENTITY_VDS_SIGNER', this.files.identityVdsSigner);
    const service = readCredential('SERVICE_VDS_SIGNER', this.files.serviceVdsSigner);
    const lists = readCredential('TRUST_LIST_SIGNER', this.files.trustListSigner);

    const certificates = withoutDuplicates(
      [
        ...listed,
        ...identity.chain,
        ...service.chain,
        ...lists.chain,
        identity.credential.certificate,
        service.credential.certificate,
      ],
      anchors,
    );
    const material: TrustMaterial = {
      anchors,
      certificates,
      vdsSigners: new Map<ManifestId, PkiCredential>([
        [IDENTITY_MANIFEST, identity.credential],
        [SERVICE_MANIFEST, service.credential],
      ]),
      trustListSigner: lists.credential,
    };
    await checkSigners(material, { identity: identity.credential, service: service.credential }, this.now());
    return material;
  }
}

/** A server that would sign what nobody can trust refuses to start, naming the file to fix. */
async function checkSigners(
  material: TrustMaterial,
  signers: { identity: PkiCredential; service: PkiCredential },
  at: Date,
): Promise<void> {
  const base = {
    at,
    anchors: material.anchors,
    intermediates: material.certificates,
    isCertificateRevoked: () => false,
  };
  const checks: [string, () => Promise<unknown>][] = [
    [
      'IDENTITY_VDS_SIGNER_CERT_FILE',
      () => validateSignerChain({ ...base, signer: signers.identity.certificate, manifestId: IDENTITY_MANIFEST }),
    ],
    [
      'SERVICE_VDS_SIGNER_CERT_FILE',
      () => validateSignerChain({ ...base, signer: signers.service.certificate, manifestId: SERVICE_MANIFEST }),
    ],
    [
      'TRUST_LIST_SIGNER_CERT_FILE',
      () => validateListSignerChain({ ...base, signer: material.trustListSigner.certificate }),
    ],
  ];
  for (const [setting, check] of checks) {
    try {
      await check();
    } catch (error) {
      const detail = error instanceof Error && 'detail' in error ? String(error.detail) : String(error);
      throw invalid(setting, `is not trusted: ${detail}`);
    }
  }
}
