import 'reflect-metadata'; // @peculiar/x509 resolves its algorithms through tsyringe
import { webcrypto, type KeyObject } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';
import type { TestCsca } from './test-csca.js';
import { certificateSigningAlgorithm, generateTestKeyPair, toKeyObject, type TestKeyAlgorithm } from './test-keys.js';

export interface TestDocumentSigner {
  certificateDer: Uint8Array;
  certificatePem: string;
  /** node:crypto key: the SOD is signed with node:crypto. */
  privateKey: KeyObject;
  keyAlgorithm: TestKeyAlgorithm;
}

export interface TestDocumentSignerOptions {
  keyAlgorithm: TestKeyAlgorithm;
  notBefore: Date;
  notAfter: Date;
}

/** A Document Signer certificate issued by `csca` (ICAO 9303 part 12 profile: digitalSignature only). */
export async function issueTestDocumentSigner(
  csca: TestCsca,
  options: TestDocumentSignerOptions,
): Promise<TestDocumentSigner> {
  const keys = await generateTestKeyPair(options.keyAlgorithm);
  const country = csca.options.country ?? 'NL';
  const certificate = await X509CertificateGenerator.create(
    {
      subject: `C=${country}, O=IDToken Test, CN=IDToken Test Document Signer`,
      issuer: csca.certificate.subjectName,
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      publicKey: keys.publicKey,
      signingKey: csca.privateKey,
      signingAlgorithm: certificateSigningAlgorithm(csca.keyAlgorithm),
      extensions: [
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        await AuthorityKeyIdentifierExtension.create(csca.publicKey, false, webcrypto),
        await SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return {
    certificateDer: new Uint8Array(certificate.rawData),
    certificatePem: certificate.toString('pem'),
    privateKey: toKeyObject(keys.privateKey),
    keyAlgorithm: options.keyAlgorithm,
  };
}
