import { id_contentType, id_messageDigest, type Attribute } from '@peculiar/asn1-cms';
import { AsnConvert, AsnObjectIdentifierConverter, OctetString } from '@peculiar/asn1-schema';
import type { Certificate } from '@peculiar/asn1-x509';
import { bytesEqual, toBytes } from './bytes.js';
import { digest, hashAlgorithmOf, type HashAlgorithmName } from './hash-algorithm.js';
import { id_icao_mrtd_security_ldsSecurityObject } from './lds-security-object.js';
import { PassiveAuthError } from './passive-auth-error.js';
import type { Sod } from './read-sod.js';
import { UnsupportedAlgorithmError, signatureSchemeOf, type SignatureScheme } from './signature-scheme.js';
import { verifySignature } from './verify-signature.js';

const signatureFailure = (message: string) => new PassiveAuthError('sod_signature', message);

/**
 * ICAO 9303 part 11 §5.1 step 3, as RFC 5652 §5.4 and §5.6 define it: the signed attributes carry the content
 * type of the LDS Security Object and the digest of its bytes, and the DSC's key signed those attributes.
 */
export function verifySodSignature(sod: Sod, documentSigner: Certificate): void {
  const { signerInfo } = sod;
  const hash = hashAlgorithmOf(signerInfo.digestAlgorithm);
  if (!hash) {
    throw new PassiveAuthError(
      'unsupported_hash_algorithm',
      `CMS digest algorithm ${signerInfo.digestAlgorithm.algorithm}`,
    );
  }
  const scheme = schemeFor(signerInfo.signatureAlgorithm, hash);

  const attributes = signerInfo.signedAttrs ?? [];
  const contentType = singleValue(attributes, id_contentType);
  const expectedContentType = AsnObjectIdentifierConverter.toASN(id_icao_mrtd_security_ldsSecurityObject).toBER();
  if (!bytesEqual(contentType, expectedContentType)) {
    throw signatureFailure('the signed content-type attribute is not the LDS Security Object');
  }
  const messageDigest = singleValue(attributes, id_messageDigest);
  const expectedDigest = AsnConvert.serialize(new OctetString(digest(hash, sod.ldsSecurityObjectDer)));
  if (!bytesEqual(messageDigest, expectedDigest)) {
    throw signatureFailure('the signed message-digest attribute does not match the LDS Security Object');
  }

  const signed = verifySignature(
    scheme,
    hash,
    toBytes(AsnConvert.serialize(documentSigner.tbsCertificate.subjectPublicKeyInfo)),
    sod.signedAttributesDer,
    toBytes(signerInfo.signature.buffer),
  );
  if (!signed) throw signatureFailure('the SignerInfo signature does not verify with the Document Signer key');
}

/**
 * The signature algorithm, whose own hash (when it names one) must be the digestAlgorithm: OpenSSL and RFC 5754
 * §3 sign with the digestAlgorithm, and a SignerInfo naming two different hashes is refused rather than guessed.
 */
function schemeFor(identifier: Sod['signerInfo']['signatureAlgorithm'], hash: HashAlgorithmName): SignatureScheme {
  let scheme: SignatureScheme;
  try {
    scheme = signatureSchemeOf(identifier);
  } catch (error) {
    if (error instanceof UnsupportedAlgorithmError && error.part === 'hash') {
      throw new PassiveAuthError('unsupported_hash_algorithm', error.message);
    }
    throw signatureFailure(`unsupported signature algorithm ${identifier.algorithm}`);
  }
  if (scheme.hash !== undefined && scheme.hash !== hash) {
    throw signatureFailure(`signature algorithm hash ${scheme.hash} differs from digest algorithm ${hash}`);
  }
  return scheme;
}

/** RFC 5652 §11.1, §11.2: content-type and message-digest appear once, each with exactly one value. */
function singleValue(attributes: readonly Attribute[], type: string): ArrayBuffer {
  const matching = attributes.filter((attribute) => attribute.attrType === type);
  if (matching.length !== 1 || matching[0].attrValues.length !== 1) {
    throw signatureFailure(`signed attribute ${type} must appear once with one value`);
  }
  return matching[0].attrValues[0];
}
