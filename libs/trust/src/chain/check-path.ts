import type { webcrypto } from 'node:crypto';
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, type X509Certificate } from '@peculiar/x509';
import { certificateReferenceHex } from '../certificate-reference.js';
import type { CertificationPath } from './build-path.js';
import { USAGE_LIST_OID, readUsageList } from '../usage-list.js';
import { untrusted } from './untrusted.js';

const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
/** Critical extensions this validator acts on; any other critical extension makes a certificate unusable (RFC 5280 §4.2). */
const HANDLED_CRITICAL = new Set([BASIC_CONSTRAINTS, KEY_USAGE, USAGE_LIST_OID]);

const name = (certificate: X509Certificate) => `"${certificate.subject}"`;

export interface PathCheckContext {
  manifestId: number;
  at: Date;
  isCertificateRevoked: (referenceHex: string) => boolean;
}

/** Every certificate of the path: inside its validity at `at`, not revoked by reference, no unknown critical extension. */
export function checkEveryCertificate(
  path: readonly X509Certificate[],
  context: Pick<PathCheckContext, 'at' | 'isCertificateRevoked'>,
): void {
  checkValidityAndRevocation(path, context);
  checkCriticalExtensions(path);
}

/**
 * The part of spec §2 step 4 that changes with time and with the VRL: each certificate inside its validity at `at`
 * and not revoked by reference (`references`, when given, are the certificates' references in path order).
 */
export function checkValidityAndRevocation(
  path: readonly X509Certificate[],
  context: Pick<PathCheckContext, 'at' | 'isCertificateRevoked'>,
  references?: readonly string[],
): void {
  path.forEach((certificate, index) => {
    if (context.at < certificate.notBefore || context.at > certificate.notAfter) {
      throw untrusted(
        'outside_validity',
        `${name(certificate)} is valid from ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}, not at ${context.at.toISOString()}`,
      );
    }
    const reference = references?.[index] ?? certificateReferenceHex(new Uint8Array(certificate.rawData));
    if (context.isCertificateRevoked(reference)) {
      throw untrusted('certificate_revoked', `${name(certificate)} (reference ${reference}) is revoked`);
    }
  });
}

function checkCriticalExtensions(path: readonly X509Certificate[]): void {
  for (const certificate of path) {
    const unknown = certificate.extensions.find(
      (extension) => extension.critical && !HANDLED_CRITICAL.has(extension.type),
    );
    if (unknown) {
      throw untrusted(
        'unhandled_critical_extension',
        `${name(certificate)} has an unknown critical extension ${unknown.type}`,
      );
    }
  }
}

/** Every issuer of the path is a CA allowed to sign certificates, within its path length constraint. */
export function checkIssuers(path: readonly X509Certificate[]): void {
  path.slice(1).forEach((issuer, index) => {
    const constraints = issuer.getExtension(BasicConstraintsExtension);
    if (!constraints?.ca) throw untrusted('not_a_ca', `${name(issuer)} is not a CA (basicConstraints)`);
    const keyUsage = issuer.getExtension(KeyUsagesExtension);
    if (keyUsage && !(keyUsage.usages & KeyUsageFlags.keyCertSign)) {
      throw untrusted('not_a_ca', `${name(issuer)} may not sign certificates (keyUsage)`);
    }
    // `index` CA certificates sit between this issuer and the signer.
    if (constraints.pathLength !== undefined && index > constraints.pathLength) {
      throw untrusted('path_length', `${name(issuer)} allows ${constraints.pathLength} CA certificates below it`);
    }
  });
}

/** An end entity with a P-256 key that may make signatures (keyUsage digitalSignature when keyUsage is present). */
export function checkSigningKey(signer: X509Certificate): void {
  const algorithm = signer.publicKey.algorithm as webcrypto.EcKeyAlgorithm;
  if (algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-256') {
    throw untrusted('key_type', `${name(signer)} does not hold an ECDSA P-256 key`);
  }
  const keyUsage = signer.getExtension(KeyUsagesExtension);
  if (keyUsage && !(keyUsage.usages & KeyUsageFlags.digitalSignature)) {
    throw untrusted('key_usage', `${name(signer)} may not make signatures (keyUsage)`);
  }
}

/** The signer itself: a P-256 key allowed to sign, whose UsageList lists the manifest (spec §2 step 4). */
function checkSigner(signer: X509Certificate, manifestId: number): void {
  checkSigningKey(signer);
  let usageList: number[] | undefined;
  try {
    usageList = readUsageList(signer);
  } catch (error) {
    throw untrusted('usage_list_malformed', `${name(signer)} has a malformed UsageList: ${(error as Error).message}`);
  }
  const manifest = `0x${manifestId.toString(16).toUpperCase().padStart(6, '0')}`;
  if (!usageList) throw untrusted('usage_list_missing', `${name(signer)} has no UsageList, so it may sign no manifest`);
  if (!usageList.includes(manifestId)) {
    throw untrusted('usage_list_mismatch', `${name(signer)} may not sign manifest ${manifest}`);
  }
}

/** The rules of spec §2 step 4 that apply once a path to an anchor is found (leaf first). */
export function checkPath(path: CertificationPath, context: PathCheckContext): void {
  checkValidityAndRevocation(path, context);
  checkPathStructure(path, context.manifestId);
}

/**
 * The part of spec §2 step 4 that depends only on the certificates and the manifest — no unknown critical extension,
 * CA issuers within their path length, a P-256 signing key whose UsageList lists the manifest — so a verdict can be
 * kept for a path that does not change (TrustStore does, per signing certificate).
 */
export function checkPathStructure(path: CertificationPath, manifestId: number): void {
  checkCriticalExtensions(path);
  checkIssuers(path);
  checkSigner(path[0], manifestId);
}
