import { KeyObject, randomBytes, type webcrypto } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
  type Extension,
} from '@peculiar/x509';
import { usageListExtension } from '../usage-list.js';
import { EC_P256, ECDSA_SHA256, toSigningCryptoKey, webCrypto, type PkiCredential } from './pki-credential.js';

/** What a certificate is for: a self-signed anchor, an intermediate CA, or an end-entity VDS/list signer. */
export type CertificateRole = 'anchor' | 'ca' | 'signer';

export interface IssueCertificateOptions {
  role: CertificateRole;
  /** Distinguished name, e.g. `CN=IDToken Development CA, O=IDToken`. */
  subject: string;
  /** The issuing CA; absent for a self-signed anchor. */
  issuer?: PkiCredential;
  notBefore: Date;
  notAfter: Date;
  /** Manifest IDs for the UsageList extension (spec §2); absent → no UsageList. */
  usageList?: readonly number[];
}

/**
 * Issues one P-256 certificate with a fresh key pair, the profile of its role: anchors and CAs are
 * `basicConstraints cA` with keyCertSign/cRLSign, signers are end entities with digitalSignature only.
 */
export async function issueCertificate(options: IssueCertificateOptions): Promise<PkiCredential> {
  const keys = (await webCrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const issuerPublicKey = options.issuer ? options.issuer.certificate.publicKey : keys.publicKey;
  const signingKey = options.issuer ? await toSigningCryptoKey(options.issuer.privateKey) : keys.privateKey;

  const extensions: Extension[] = [
    options.role === 'signer'
      ? new BasicConstraintsExtension(false, undefined, true)
      : // The development chain is anchor → CA → signer: the CA may certify end entities only.
        new BasicConstraintsExtension(true, options.role === 'ca' ? 0 : undefined, true),
    new KeyUsagesExtension(
      options.role === 'signer' ? KeyUsageFlags.digitalSignature : KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
      true,
    ),
    await SubjectKeyIdentifierExtension.create(keys.publicKey, false, webCrypto),
    await AuthorityKeyIdentifierExtension.create(issuerPublicKey, false, webCrypto),
  ];
  if (options.usageList) extensions.push(usageListExtension(options.usageList));

  const certificate = await X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: options.subject,
      issuer: options.issuer ? options.issuer.certificate.subject : options.subject,
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      publicKey: keys.publicKey,
      signingKey,
      signingAlgorithm: ECDSA_SHA256,
      extensions,
    },
    webCrypto,
  );
  return {
    certificate,
    certificateDer: Buffer.from(certificate.rawData),
    privateKey: KeyObject.from(keys.privateKey),
  };
}

/** 128 random bits, positive and without a leading zero byte (RFC 5280 §4.1.2.2: ≤ 20 octets, unique). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes.writeUInt8((bytes.readUInt8(0) & 0x7f) | 0x40, 0);
  return bytes.toString('hex');
}
