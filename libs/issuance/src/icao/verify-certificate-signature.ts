import { AsnConvert } from '@peculiar/asn1-schema';
import type { Certificate } from '@peculiar/asn1-x509';
import { bytesEqual, toBytes } from './bytes.js';
import { signatureSchemeOf } from './signature-scheme.js';
import { verifySignature } from './verify-signature.js';

/**
 * Whether `issuer`'s key signed `subject` (RFC 5280 §6.1.3 (a)(1)): over the tbsCertificate bytes as received,
 * with the algorithm the certificate names, which must match its inner copy (§4.1.1.2). Unsupported algorithms,
 * including SHA-1, count as not signed.
 */
export function isSignedBy(subject: Certificate, issuer: Certificate): boolean {
  try {
    if (!subject.tbsCertificateRaw) return false;
    const outer = AsnConvert.serialize(subject.signatureAlgorithm);
    if (!bytesEqual(outer, AsnConvert.serialize(subject.tbsCertificate.signature))) return false;
    const scheme = signatureSchemeOf(subject.signatureAlgorithm);
    if (!scheme.hash) return false; // bare rsaEncryption names no hash outside CMS
    return verifySignature(
      scheme,
      scheme.hash,
      toBytes(AsnConvert.serialize(issuer.tbsCertificate.subjectPublicKeyInfo)),
      toBytes(subject.tbsCertificateRaw),
      toBytes(subject.signatureValue),
    );
  } catch {
    return false;
  }
}

/** RFC 5280 §4.1.2.5: valid from notBefore through notAfter, both inclusive. */
export function isWithinValidity(certificate: Certificate, now: Date): boolean {
  const { notBefore, notAfter } = certificate.tbsCertificate.validity;
  const instant = now.getTime();
  return notBefore.getTime().getTime() <= instant && instant <= notAfter.getTime().getTime();
}
