import 'reflect-metadata'; // @peculiar/x509 resolves its algorithms through tsyringe
import { webcrypto } from 'node:crypto';
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
  type X509Certificate,
} from '@peculiar/x509';
import {
  certificateSigningAlgorithm,
  generateTestKeyPair,
  type TestKeyAlgorithm,
  type WebCryptoKey,
} from './test-keys.js';

export interface TestCscaOptions {
  /** Default P-256. */
  keyAlgorithm?: TestKeyAlgorithm;
  /** ISO 3166-1 alpha-2 for the subject's C (ICAO 9303 part 12 requires it); default `NL`. */
  country?: string;
  /** Default `IDToken Test CSCA`. A second CSCA with the same name is how tests forge a look-alike issuer. */
  commonName?: string;
  /** Default: one day ago. */
  notBefore?: Date;
  /** Default: fifteen years from now. Put it in the past for an expired CSCA. */
  notAfter?: Date;
}

/** A Country Signing CA for tests: a self-signed certificate and its key (ICAO 9303 part 12 profile). */
export interface TestCsca {
  certificate: X509Certificate;
  certificateDer: Uint8Array;
  certificatePem: string;
  /** WebCrypto key: X509CertificateGenerator signs Document Signer certificates with it. */
  privateKey: WebCryptoKey;
  publicKey: WebCryptoKey;
  keyAlgorithm: TestKeyAlgorithm;
  /** The options it was made with, so a look-alike can be made from them. */
  options: Readonly<TestCscaOptions>;
}

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

export async function createTestCsca(options: TestCscaOptions = {}): Promise<TestCsca> {
  const keyAlgorithm = options.keyAlgorithm ?? 'P-256';
  const keys = await generateTestKeyPair(keyAlgorithm);
  const now = Date.now();
  const certificate = await X509CertificateGenerator.createSelfSigned(
    {
      name: `C=${options.country ?? 'NL'}, O=IDToken Test, CN=${options.commonName ?? 'IDToken Test CSCA'}`,
      keys,
      notBefore: options.notBefore ?? new Date(now - DAY_MS),
      notAfter: options.notAfter ?? new Date(now + 15 * YEAR_MS),
      signingAlgorithm: certificateSigningAlgorithm(keyAlgorithm),
      extensions: [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        await SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return {
    certificate,
    certificateDer: new Uint8Array(certificate.rawData),
    certificatePem: certificate.toString('pem'),
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    keyAlgorithm,
    options: { ...options, keyAlgorithm },
  };
}
