import 'reflect-metadata'; // @peculiar/x509 resolves its algorithms through tsyringe
import { createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';

const RSASSA_SHA256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

/** Certificates are valid from a little before they are made, for verifiers whose clocks run behind. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * How long an RS256 token key's certificate is valid after the key starts signing. There is no automatic rotation
 * yet: rotate the RS256 family before its current key's certificate runs out.
 */
export const TOKEN_CERTIFICATE_VALIDITY_DAYS = 730;

/**
 * A self-signed end-entity certificate for an RSA token key (sha256WithRSAEncryption, digitalSignature only). It
 * carries no trust of its own: verifiers that want x5c (Microsoft Entra ID) read the key from it.
 */
export async function selfSignedTokenCertificate(options: {
  privateKey: KeyObject;
  commonName: string;
  now: Date;
  activatesAt: Date;
}): Promise<Buffer> {
  const { subtle } = webcrypto;
  const signingKey = await subtle.importKey(
    'pkcs8',
    options.privateKey.export({ format: 'der', type: 'pkcs8' }),
    RSASSA_SHA256,
    false,
    ['sign'],
  );
  const publicKey = await subtle.importKey(
    'spki',
    createPublicKey(options.privateKey).export({ format: 'der', type: 'spki' }),
    RSASSA_SHA256,
    true,
    ['verify'],
  );
  const subject = `CN=${options.commonName}`;
  const certificate = await X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject,
      issuer: subject,
      notBefore: new Date(options.now.getTime() - CLOCK_SKEW_MS),
      notAfter: new Date(options.activatesAt.getTime() + TOKEN_CERTIFICATE_VALIDITY_DAYS * 86_400_000),
      publicKey,
      signingKey,
      signingAlgorithm: RSASSA_SHA256,
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        await SubjectKeyIdentifierExtension.create(publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return Buffer.from(certificate.rawData);
}

/** 128 random bits, positive and without a leading zero byte (RFC 5280 §4.1.2.2: ≤ 20 octets, unique). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes.writeUInt8((bytes.readUInt8(0) & 0x7f) | 0x40, 0);
  return bytes.toString('hex');
}
