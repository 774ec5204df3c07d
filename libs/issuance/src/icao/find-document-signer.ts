import type { SignerIdentifier } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { SubjectKeyIdentifier, id_ce_subjectKeyIdentifier, type Certificate } from '@peculiar/asn1-x509';
import { bytesEqual } from './bytes.js';
import { PassiveAuthError } from './passive-auth-error.js';
import type { Sod } from './read-sod.js';

/**
 * The Document Signer certificate among SignedData.certificates, matched by the SignerInfo's sid (RFC 5652 §5.3):
 * issuerAndSerialNumber or subjectKeyIdentifier, the two forms ICAO 9303 part 10 allows. ICAO lets a
 * State leave the DSC out of the SOD; we do not look it up elsewhere, so such a document fails `dsc_missing`.
 */
export function findDocumentSigner(sod: Sod): Certificate {
  const signer = sod.certificates.find((certificate) => identifies(sod.signerInfo.sid, certificate));
  if (!signer) {
    throw new PassiveAuthError(
      'dsc_missing',
      `none of the ${sod.certificates.length} certificates in the SOD matches the SignerInfo`,
    );
  }
  return signer;
}

function identifies(sid: SignerIdentifier, certificate: Certificate): boolean {
  try {
    const tbs = certificate.tbsCertificate;
    if (sid.issuerAndSerialNumber) {
      return (
        bytesEqual(tbs.serialNumber, sid.issuerAndSerialNumber.serialNumber) &&
        bytesEqual(AsnConvert.serialize(tbs.issuer), AsnConvert.serialize(sid.issuerAndSerialNumber.issuer))
      );
    }
    if (sid.subjectKeyIdentifier) {
      const extension = tbs.extensions?.find((candidate) => candidate.extnID === id_ce_subjectKeyIdentifier);
      if (!extension) return false;
      const keyIdentifier = AsnConvert.parse(extension.extnValue.buffer, SubjectKeyIdentifier);
      return bytesEqual(keyIdentifier.buffer, sid.subjectKeyIdentifier.buffer);
    }
  } catch {
    // A certificate whose extension does not parse identifies nobody.
  }
  return false;
}
