import { AsnConvert } from '@peculiar/asn1-schema';
import {
  id_ecdsaWithSHA256,
  id_ecdsaWithSHA384,
  id_ecdsaWithSHA512,
  id_ecdsaWithSHA1,
  id_ecdsaWithSHA224,
} from '@peculiar/asn1-ecc';
import {
  RsaSaPssParams,
  id_mgf1,
  id_RSASSA_PSS,
  id_rsaEncryption,
  id_sha1WithRSAEncryption,
  id_sha224WithRSAEncryption,
  id_sha256WithRSAEncryption,
  id_sha384WithRSAEncryption,
  id_sha512WithRSAEncryption,
} from '@peculiar/asn1-rsa';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { hashAlgorithmOf, type HashAlgorithmName } from './hash-algorithm.js';

/**
 * How a signature is checked, read from a signatureAlgorithm: the three families ICAO 9303 part 12 allows for
 * CSCA, DSC and SOD signatures (RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA).
 */
export type SignatureScheme =
  /** `hash` is undefined for bare rsaEncryption, where CMS takes the hash from the SignerInfo's digestAlgorithm. */
  | { kind: 'rsa-pkcs1'; hash: HashAlgorithmName | undefined }
  | { kind: 'rsa-pss'; hash: HashAlgorithmName; saltLength: number }
  /** `der` is X9.62 Ecdsa-Sig-Value; `ieee-p1363` is the plain r ‖ s of BSI TR-03111 §5.2.1. */
  | { kind: 'ecdsa'; hash: HashAlgorithmName; encoding: 'der' | 'ieee-p1363' };

export class UnsupportedAlgorithmError extends Error {
  override readonly name = 'UnsupportedAlgorithmError';

  /** `hash`: a known signature family with a refused digest (SHA-1, SHA-224); `signature`: anything else. */
  constructor(
    readonly part: 'hash' | 'signature',
    message: string,
  ) {
    super(message);
  }
}

const RSA_PKCS1: Readonly<Record<string, HashAlgorithmName | undefined>> = {
  [id_rsaEncryption]: undefined,
  [id_sha256WithRSAEncryption]: 'SHA-256',
  [id_sha384WithRSAEncryption]: 'SHA-384',
  [id_sha512WithRSAEncryption]: 'SHA-512',
};

const ECDSA_DER: Readonly<Record<string, HashAlgorithmName>> = {
  [id_ecdsaWithSHA256]: 'SHA-256',
  [id_ecdsaWithSHA384]: 'SHA-384',
  [id_ecdsaWithSHA512]: 'SHA-512',
};

/** BSI TR-03111 §5.2.1 ecdsa-plain-SHA256/384/512 (bsi-de 0.4.0.127.0.7.1.1.4.1.x), used by some issuers. */
const ECDSA_PLAIN_ARC = '0.4.0.127.0.7.1.1.4.1';
const ECDSA_PLAIN: Readonly<Record<string, HashAlgorithmName>> = {
  [`${ECDSA_PLAIN_ARC}.3`]: 'SHA-256',
  [`${ECDSA_PLAIN_ARC}.4`]: 'SHA-384',
  [`${ECDSA_PLAIN_ARC}.5`]: 'SHA-512',
};

const REFUSED_HASH_VARIANTS = new Set([
  id_sha1WithRSAEncryption,
  id_sha224WithRSAEncryption,
  id_ecdsaWithSHA1,
  id_ecdsaWithSHA224,
  `${ECDSA_PLAIN_ARC}.1`,
  `${ECDSA_PLAIN_ARC}.2`,
]);

/** RFC 8017 A.2.3: trailerField 1 (0xBC) is the only value defined. */
const TRAILER_FIELD_BC = 1;

export function signatureSchemeOf(identifier: AlgorithmIdentifier): SignatureScheme {
  const oid = identifier.algorithm;
  if (oid in RSA_PKCS1) return { kind: 'rsa-pkcs1', hash: RSA_PKCS1[oid] };
  const ecdsaDerHash = ECDSA_DER[oid];
  if (ecdsaDerHash) return { kind: 'ecdsa', hash: ecdsaDerHash, encoding: 'der' };
  const ecdsaPlainHash = ECDSA_PLAIN[oid];
  if (ecdsaPlainHash) return { kind: 'ecdsa', hash: ecdsaPlainHash, encoding: 'ieee-p1363' };
  if (oid === id_RSASSA_PSS) return pssScheme(identifier);
  if (REFUSED_HASH_VARIANTS.has(oid)) throw new UnsupportedAlgorithmError('hash', `signature algorithm ${oid}`);
  throw new UnsupportedAlgorithmError('signature', `signature algorithm ${oid}`);
}

/** RFC 4055 §3.1 parameters; node:crypto applies MGF1 with the message hash, so any other mask hash is refused. */
function pssScheme(identifier: AlgorithmIdentifier): SignatureScheme {
  if (!identifier.parameters) throw new UnsupportedAlgorithmError('signature', 'RSASSA-PSS without parameters');
  const params = AsnConvert.parse(identifier.parameters, RsaSaPssParams);
  const hash = hashAlgorithmOf(params.hashAlgorithm);
  if (!hash) throw new UnsupportedAlgorithmError('hash', `RSASSA-PSS hash ${params.hashAlgorithm.algorithm}`);
  const mask = params.maskGenAlgorithm;
  const maskHash = mask.parameters
    ? hashAlgorithmOf(AsnConvert.parse(mask.parameters, AlgorithmIdentifier))
    : undefined;
  if (mask.algorithm !== id_mgf1 || maskHash !== hash) {
    throw new UnsupportedAlgorithmError('signature', 'RSASSA-PSS mask generation other than MGF1 with the same hash');
  }
  if (params.trailerField !== TRAILER_FIELD_BC) throw new UnsupportedAlgorithmError('signature', 'RSASSA-PSS trailer');
  return { kind: 'rsa-pss', hash, saltLength: params.saltLength };
}
