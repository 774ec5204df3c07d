import { constants, createHash, sign, type KeyObject } from 'node:crypto';
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  CMSVersion,
  ContentInfo,
  DigestAlgorithmIdentifier,
  DigestAlgorithmIdentifiers,
  EncapsulatedContent,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignatureAlgorithmIdentifier,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
  id_contentType,
  id_messageDigest,
  id_signedData,
} from '@peculiar/asn1-cms';
import { id_ecdsaWithSHA256, id_ecdsaWithSHA384, id_ecdsaWithSHA512 } from '@peculiar/asn1-ecc';
import {
  RsaSaPssParams,
  id_mgf1,
  id_RSASSA_PSS,
  id_sha1,
  id_sha256,
  id_sha384,
  id_sha512,
  id_sha256WithRSAEncryption,
  id_sha384WithRSAEncryption,
  id_sha512WithRSAEncryption,
} from '@peculiar/asn1-rsa';
import {
  AsnArray,
  AsnConvert,
  AsnNullConverter,
  AsnObjectIdentifierConverter,
  AsnType,
  AsnTypeTypes,
  OctetString,
} from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  Certificate,
  SubjectKeyIdentifier,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import {
  DataGroupHash,
  DataGroupHashValues,
  LdsSecurityObject,
  LdsVersionInfo,
  id_icao_mrtd_security_ldsSecurityObject,
} from '../icao/lds-security-object.js';
import { encodeTlv } from '../icao/tlv.js';

/** SHA-1 is here only to build documents the verifier must refuse. */
export type TestHashAlgorithm = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
export type SodSignatureScheme = 'ecdsa' | 'rsa-pkcs1' | 'rsa-pss';

export interface SodBuildOptions {
  /** Data group number → the file bytes whose hash the SOD lists. */
  dataGroups: ReadonlyMap<number, Uint8Array>;
  /** What the data-group hashes are computed with. */
  ldsHashAlgorithm: TestHashAlgorithm;
  /** What the LDS Security Object says they were computed with; defaults to `ldsHashAlgorithm`. */
  declaredLdsHashAlgorithm?: TestHashAlgorithm;
  /** The SignerInfo's digestAlgorithm and the signature's hash. */
  signatureHashAlgorithm: Exclude<TestHashAlgorithm, 'SHA-1'>;
  signer: { certificateDer: Uint8Array; privateKey: KeyObject; scheme: SodSignatureScheme };
  /** ICAO 9303 part 10 allows either (SignerInfo version 1 or 3). Default issuerAndSerialNumber. */
  signerIdentifier?: 'issuerAndSerialNumber' | 'subjectKeyIdentifier';
  /** Leave the DSC out of SignedData.certificates. */
  omitCertificate?: boolean;
  /** Flip one bit of the signature value. */
  alterSignature?: boolean;
  /** Change one hash in the LDS Security Object after it was signed. */
  alterLdsAfterSigning?: boolean;
}

export interface BuiltSod {
  /** EF.SOD: 0x77 around the ContentInfo. */
  sod: Uint8Array;
  /** The ContentInfo alone, as `openssl cms` reads it. */
  contentInfoDer: Uint8Array;
  ldsSecurityObjectDer: Uint8Array;
}

const HASH_OIDS: Readonly<Record<TestHashAlgorithm, string>> = {
  'SHA-1': id_sha1,
  'SHA-256': id_sha256,
  'SHA-384': id_sha384,
  'SHA-512': id_sha512,
};
const NODE_HASHES: Readonly<Record<TestHashAlgorithm, string>> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};
const ECDSA_OIDS = { 'SHA-256': id_ecdsaWithSHA256, 'SHA-384': id_ecdsaWithSHA384, 'SHA-512': id_ecdsaWithSHA512 };
const RSA_OIDS = {
  'SHA-256': id_sha256WithRSAEncryption,
  'SHA-384': id_sha384WithRSAEncryption,
  'SHA-512': id_sha512WithRSAEncryption,
};
const HASH_BYTES = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

/** RFC 5652 §5.4: the signature covers the signed attributes encoded as a SET OF. */
@AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })
class SignedAttributeSet extends AsnArray<Attribute> {}

const hash = (algorithm: TestHashAlgorithm, data: Uint8Array) =>
  createHash(NODE_HASHES[algorithm]).update(data).digest();
const bytes = (buffer: ArrayBuffer) => new Uint8Array(buffer);

/**
 * EF.SOD as ICAO 9303 part 10 describes it: CMS SignedData (RFC 5652, version 3) encapsulating the LDS
 * Security Object, signed by the Document Signer with content-type and message-digest signed attributes, the DSC
 * in `certificates`. Serialised with @peculiar/asn1-cms, signed with node:crypto.
 */
export function buildSod(options: SodBuildOptions): BuiltSod {
  const ldsSecurityObject = new LdsSecurityObject({
    version: 1,
    hashAlgorithm: new AlgorithmIdentifier({
      algorithm: HASH_OIDS[options.declaredLdsHashAlgorithm ?? options.ldsHashAlgorithm],
    }),
    dataGroupHashValues: new DataGroupHashValues(
      [...options.dataGroups.entries()]
        .sort(([a], [b]) => a - b)
        .map(
          ([number, file]) =>
            new DataGroupHash({
              dataGroupNumber: number,
              dataGroupHashValue: new OctetString(hash(options.ldsHashAlgorithm, file)),
            }),
        ),
    ),
    // LDS 1.8, Unicode 4.0.0 (part 10).
    ldsVersionInfo: new LdsVersionInfo({ ldsVersion: '0108', unicodeVersion: '040000' }),
  });
  const ldsSecurityObjectDer = bytes(AsnConvert.serialize(ldsSecurityObject));

  const signatureHash = options.signatureHashAlgorithm;
  const attributes = sortedForDer([
    new Attribute({
      attrType: id_contentType,
      attrValues: [AsnObjectIdentifierConverter.toASN(id_icao_mrtd_security_ldsSecurityObject).toBER()],
    }),
    new Attribute({
      attrType: id_messageDigest,
      attrValues: [AsnConvert.serialize(new OctetString(hash(signatureHash, ldsSecurityObjectDer)))],
    }),
  ]);
  const signedAttributesDer = bytes(AsnConvert.serialize(new SignedAttributeSet(attributes)));
  const signature = signAttributes(options.signer, signatureHash, signedAttributesDer);
  if (options.alterSignature) signature[signature.length - 1] ^= 0x01;

  const certificate = AsnConvert.parse(options.signer.certificateDer, Certificate);
  const useKeyIdentifier = options.signerIdentifier === 'subjectKeyIdentifier';
  const signerInfo = new SignerInfo({
    version: useKeyIdentifier ? CMSVersion.v3 : CMSVersion.v1,
    sid: useKeyIdentifier
      ? new SignerIdentifier({ subjectKeyIdentifier: subjectKeyIdentifierOf(certificate) })
      : new SignerIdentifier({
          issuerAndSerialNumber: new IssuerAndSerialNumber({
            issuer: certificate.tbsCertificate.issuer,
            serialNumber: certificate.tbsCertificate.serialNumber,
          }),
        }),
    digestAlgorithm: new DigestAlgorithmIdentifier({ algorithm: HASH_OIDS[signatureHash] }),
    signedAttrs: attributes,
    signatureAlgorithm: signatureAlgorithm(options.signer.scheme, signatureHash),
    signature: new OctetString(signature),
  });

  let encapsulated = ldsSecurityObjectDer;
  if (options.alterLdsAfterSigning) {
    encapsulated = new Uint8Array(ldsSecurityObjectDer);
    encapsulated[encapsulated.length - 1] ^= 0x01;
  }
  const signedData = new SignedData({
    // RFC 5652 §5.1: version 3 because the content type is not id-data.
    version: CMSVersion.v3,
    digestAlgorithms: new DigestAlgorithmIdentifiers([
      new DigestAlgorithmIdentifier({ algorithm: HASH_OIDS[signatureHash] }),
    ]),
    encapContentInfo: new EncapsulatedContentInfo({
      eContentType: id_icao_mrtd_security_ldsSecurityObject,
      eContent: new EncapsulatedContent({ single: new OctetString(encapsulated) }),
    }),
    certificates: options.omitCertificate ? undefined : new CertificateSet([new CertificateChoices({ certificate })]),
    signerInfos: new SignerInfos([signerInfo]),
  });
  const contentInfoDer = bytes(
    AsnConvert.serialize(new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) })),
  );
  return { sod: encodeTlv(0x77, contentInfoDer), contentInfoDer, ldsSecurityObjectDer };
}

function signAttributes(
  signer: SodBuildOptions['signer'],
  hashAlgorithm: SodBuildOptions['signatureHashAlgorithm'],
  data: Uint8Array,
): Uint8Array {
  const key = signer.privateKey;
  const nodeHash = NODE_HASHES[hashAlgorithm];
  switch (signer.scheme) {
    case 'ecdsa':
      return sign(nodeHash, data, { key, dsaEncoding: 'der' });
    case 'rsa-pkcs1':
      return sign(nodeHash, data, { key, padding: constants.RSA_PKCS1_PADDING });
    case 'rsa-pss':
      return sign(nodeHash, data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: HASH_BYTES[hashAlgorithm],
      });
  }
}

function signatureAlgorithm(
  scheme: SodSignatureScheme,
  hashAlgorithm: SodBuildOptions['signatureHashAlgorithm'],
): SignatureAlgorithmIdentifier {
  switch (scheme) {
    case 'ecdsa':
      return new SignatureAlgorithmIdentifier({ algorithm: ECDSA_OIDS[hashAlgorithm] });
    case 'rsa-pkcs1':
      return new SignatureAlgorithmIdentifier({
        algorithm: RSA_OIDS[hashAlgorithm],
        parameters: AsnNullConverter.toASN(null).toBER(),
      });
    case 'rsa-pss': {
      // RFC 4055 §3.1, with MGF1 over the same hash and a salt as long as the hash.
      const hashIdentifier = new AlgorithmIdentifier({ algorithm: HASH_OIDS[hashAlgorithm] });
      const params = new RsaSaPssParams({
        hashAlgorithm: hashIdentifier,
        maskGenAlgorithm: new AlgorithmIdentifier({
          algorithm: id_mgf1,
          parameters: AsnConvert.serialize(hashIdentifier),
        }),
        saltLength: HASH_BYTES[hashAlgorithm],
      });
      return new SignatureAlgorithmIdentifier({ algorithm: id_RSASSA_PSS, parameters: AsnConvert.serialize(params) });
    }
  }
}

function subjectKeyIdentifierOf(certificate: Certificate): SubjectKeyIdentifier {
  const extension = certificate.tbsCertificate.extensions?.find((item) => item.extnID === id_ce_subjectKeyIdentifier);
  if (!extension) throw new Error('the Document Signer certificate has no subjectKeyIdentifier');
  return AsnConvert.parse(extension.extnValue.buffer, SubjectKeyIdentifier);
}

/** X.690 §11.6: DER orders the members of a SET OF by their encodings. */
function sortedForDer(attributes: Attribute[]): Attribute[] {
  const encoded = attributes.map((attribute) => ({ attribute, der: Buffer.from(AsnConvert.serialize(attribute)) }));
  return encoded.sort((a, b) => Buffer.compare(a.der, b.der)).map(({ attribute }) => attribute);
}
