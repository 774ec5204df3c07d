import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { bytesEqual } from './bytes.js';
import { PassiveAuthError } from './passive-auth-error.js';
import { isSignedBy, isWithinValidity } from './verify-certificate-signature.js';

/**
 * ICAO 9303 part 11 §5.1 step 2: the certification path from a trust anchor (a CSCA from the master list of
 * spec §9, `POST /admin/trust/csca`) to the Document Signer. The path is one step long; both certificates must be
 * valid at `now` (RFC 5280 §6.1.3 (a)(2), the shell model). Returns the CSCA that signed.
 *
 * Candidates are the CSCAs whose subject equals the DSC's issuer (byte-wise on DER, which is what issuers
 * produce); more than one is normal around a CSCA key rollover. A configured certificate that does not parse is
 * skipped here — validating the master list belongs where it is uploaded.
 */
export function verifyDocumentSignerChain(
  dsc: Certificate,
  cscaCertificates: readonly Uint8Array[],
  now: Date,
): Certificate {
  const issuerName = AsnConvert.serialize(dsc.tbsCertificate.issuer);
  const signers = cscaCertificates
    .flatMap((der) => parseCertificate(der))
    .filter((csca) => bytesEqual(AsnConvert.serialize(csca.tbsCertificate.subject), issuerName))
    .filter((csca) => isSignedBy(dsc, csca));

  if (signers.length === 0) {
    throw new PassiveAuthError('dsc_untrusted', 'no configured CSCA issued the Document Signer certificate');
  }
  const csca = signers.find((candidate) => isWithinValidity(candidate, now));
  if (!csca) throw new PassiveAuthError('csca_expired', 'the CSCA that signed the DSC is not valid now');
  if (!isWithinValidity(dsc, now)) {
    throw new PassiveAuthError('dsc_expired', 'the Document Signer certificate is not valid now');
  }
  return csca;
}

function parseCertificate(der: Uint8Array): Certificate[] {
  try {
    return [AsnConvert.parse(der, Certificate)];
  } catch {
    return [];
  }
}
