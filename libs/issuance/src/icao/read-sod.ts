import { ContentInfo, id_signedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import type { Certificate } from '@peculiar/asn1-x509';
import { bytesEqual, toBytes } from './bytes.js';
import { id_icao_mrtd_security_ldsSecurityObject } from './lds-security-object.js';
import { PassiveAuthError } from './passive-auth-error.js';
import { SodSignedAttributes, SodSignedData, type SodSignerInfo } from './sod-schema.js';
import { unwrapTlv } from './tlv.js';

/** EF.SOD is `[APPLICATION 23]` around a ContentInfo (ICAO 9303 part 10, EF.SOD). */
export const EF_SOD_TAG = 0x77;
/** RFC 5652 §5.4: the signed attributes are signed under a SET OF tag, not their `[0] IMPLICIT` one. */
const SET_TAG = 0x31;
const CONTEXT_0_CONSTRUCTED = 0xa0;

export interface Sod {
  signerInfo: SodSignerInfo;
  /** The DER of the signed attributes as the signature covers them (RFC 5652 §5.4). */
  signedAttributesDer: Uint8Array;
  /** The encapsulated LDS Security Object, exactly as signed. */
  ldsSecurityObjectDer: Uint8Array;
  certificates: Certificate[];
}

const malformed = (message: string, cause?: unknown) => new PassiveAuthError('sod_malformed', message, { cause });

/** Unwraps EF.SOD down to the one SignerInfo and the LDS Security Object it signs (ICAO 9303 part 10). */
export function readSod(sod: Uint8Array): Sod {
  let signedData: SodSignedData;
  try {
    const contentInfo = AsnConvert.parse(unwrapTlv(sod, EF_SOD_TAG), ContentInfo);
    if (contentInfo.contentType !== id_signedData) throw malformed(`content type ${contentInfo.contentType}`);
    signedData = AsnConvert.parse(contentInfo.content, SodSignedData);
  } catch (error) {
    if (error instanceof PassiveAuthError) throw error;
    throw malformed('EF.SOD is not a 0x77-wrapped CMS SignedData', error);
  }

  const content = signedData.encapContentInfo;
  if (content.eContentType !== id_icao_mrtd_security_ldsSecurityObject) {
    throw malformed(`encapsulated content type ${content.eContentType} is not an LDS Security Object`);
  }
  const eContent = content.eContent?.single;
  if (!eContent) throw malformed('the LDS Security Object is missing or not a primitive OCTET STRING');

  // Part 10's SignedData profile recommends one SignerInfo; with several we would have to choose whose counts.
  if (signedData.signerInfos.length !== 1) {
    throw malformed(`expected exactly one SignerInfo, found ${signedData.signerInfos.length}`);
  }
  const signerInfo = signedData.signerInfos[0];
  const rawSignedAttributes = signerInfo.signedAttrsRaw;
  // Part 10's SignedData profile requires signed attributes: they bind the signature to the content type.
  if (!rawSignedAttributes || !signerInfo.signedAttrs?.length) {
    throw malformed('the SignerInfo has no signed attributes');
  }
  const signedAttributesDer = toBytes(rawSignedAttributes);
  if (signedAttributesDer[0] !== CONTEXT_0_CONSTRUCTED) throw malformed('unexpected tag on the signed attributes');
  signedAttributesDer[0] = SET_TAG;
  // The parser forgives inconsistent lengths, so the attributes it read could differ from the bytes the signature
  // covers. Re-encoding them must give those bytes back (RFC 5652 §5.4 signs DER), or they are not what was signed.
  if (!bytesEqual(AsnConvert.serialize(new SodSignedAttributes(signerInfo.signedAttrs)), signedAttributesDer)) {
    throw malformed('the signed attributes are not DER');
  }

  const certificates = (signedData.certificates ?? []).flatMap((choice) =>
    choice.certificate ? [choice.certificate] : [],
  );
  return {
    signerInfo,
    signedAttributesDer,
    ldsSecurityObjectDer: new Uint8Array(eContent.buffer),
    certificates,
  };
}
