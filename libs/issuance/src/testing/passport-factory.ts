import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { HashAlgorithmName } from '../icao/hash-algorithm.js';
import { createChallengeSigner, type AaKind, type ChallengeSigner } from './aa-signer.js';
import { concat, encodeDg1, encodeDg15, encodeDg2 } from './data-groups.js';
import { formatMrz, surnameOffset, withWrongBirthDateCheckDigit, type TestMrzFields } from './mrz-lines.js';
import { buildSod, type SodSignatureScheme, type TestHashAlgorithm } from './sod-builder.js';
import { createTestCsca, type TestCsca } from './test-csca.js';
import { issueTestDocumentSigner, type TestDocumentSigner } from './test-document-signer.js';
import type { TestKeyAlgorithm } from './test-keys.js';

export { createTestCsca, type TestCsca, type TestCscaOptions } from './test-csca.js';

/**
 * Ways to make a document bad, for negative tests: each changes exactly one thing, and the comment names the
 * passive-authentication check it must fail.
 */
export interface TestPassportDefects {
  /** A letter of the surname in DG1 changed after the SOD hashed it → `dg1_hash`. */
  tamperDg1?: boolean;
  /** A photo byte in DG2 changed after the SOD hashed it → `dg2_hash`. */
  tamperDg2?: boolean;
  /** A byte of DG15 changed after the SOD hashed it → `dg15_hash`. */
  tamperDg15?: boolean;
  /** The LDS Security Object lists no DG2 → `dg2_missing`. */
  omitDg2FromSod?: boolean;
  /** AA is on but the LDS Security Object lists no DG15 → `dg15_missing`. */
  omitDg15FromSod?: boolean;
  /** The LDS names another SHA-2 than the hashes were made with → `dg1_hash`. */
  sodHashAlgorithmMismatch?: boolean;
  /** The LDS hashes are made with, and named, SHA-1 → `unsupported_hash_algorithm`. */
  ldsHashAlgorithmSha1?: boolean;
  /** The DSC is issued by a look-alike CSCA (same name, other key) → `dsc_untrusted`. */
  dscSignedByOtherCsca?: boolean;
  /** The DSC's validity ended yesterday → `dsc_expired`. */
  dscExpired?: boolean;
  /** SignedData.certificates left out → `dsc_missing`. */
  omitDscFromSod?: boolean;
  /** One bit of the SignerInfo signature flipped → `sod_signature`. */
  alterSodSignature?: boolean;
  /** The LDS Security Object changed after signing (message-digest mismatch) → `sod_signature`. */
  alterLdsAfterSigning?: boolean;
  /** The date-of-birth check digit is wrong, and the SOD signs that DG1 → `mrz_check_digit`. */
  wrongMrzCheckDigit?: boolean;
}

export interface TestPassportOptions {
  csca: TestCsca;
  /** Holder and document; defaults describe a TD3 passport of the Netherlands. */
  mrz?: Partial<TestMrzFields>;
  /** The face image bytes wrapped in DG2 (any format; DG2 is minimal, see data-groups.ts). */
  photo?: Uint8Array;
  /** Active Authentication key in DG15: P-256 ECDSA, RSA-2048, or none. Default false. */
  aa?: AaKind | false;
  /** RSA AA only: the ISO/IEC 9796-2 hash the chip uses. Default SHA-256. */
  aaRsaHashAlgorithm?: 'SHA-1' | HashAlgorithmName;
  /** LDS hashes, CMS digest and SOD signature hash. Default SHA-256. */
  hashAlgorithm?: HashAlgorithmName;
  /** Default: P-256 under an EC CSCA, RSA under an RSA CSCA. */
  dscKeyAlgorithm?: TestKeyAlgorithm;
  /** Default issuerAndSerialNumber. */
  signerIdentifier?: 'issuerAndSerialNumber' | 'subjectKeyIdentifier';
  defects?: TestPassportDefects;
}

export interface TestPassport {
  dg1: Uint8Array;
  dg2: Uint8Array;
  sod: Uint8Array;
  dg15?: Uint8Array;
  mrzLines: string[];
  photo: Uint8Array;
  hashAlgorithm: HashAlgorithmName;
  documentSigner: TestDocumentSigner;
  /** The SOD's ContentInfo without the 0x77 wrapper (what `openssl cms` reads). */
  sodContentInfoDer: Uint8Array;
  ldsSecurityObjectDer: Uint8Array;
  aaPrivateKey?: KeyObject;
  aaRsaHashAlgorithm?: 'SHA-1' | HashAlgorithmName;
  /** The chip's INTERNAL AUTHENTICATE; throws for a passport without AA. */
  signChallenge: ChallengeSigner;
}

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

/** A specimen-like holder; expiry five years ahead so the default document is always current. */
export function defaultMrzFields(now = new Date()): TestMrzFields {
  return {
    format: 'TD3',
    issuingState: 'NLD',
    documentNumber: 'SPECI2024',
    nationality: 'NLD',
    birthDate: '1965-03-10',
    sex: 'F',
    expiryDate: `${now.getUTCFullYear() + 5}-08-02`,
    surname: 'DE BRUIJN',
    givenNames: 'WILLEKE LISELOTTE',
  };
}

/**
 * A document as a chip would give it to an issuance station (spec §3): DG1, DG2, optional DG15 and an EF.SOD
 * signed by a fresh Document Signer that `csca` issued. Real DER throughout; see TestPassportDefects for bad ones.
 */
export async function createTestPassport(options: TestPassportOptions): Promise<TestPassport> {
  const defects = options.defects ?? {};
  const hashAlgorithm = options.hashAlgorithm ?? 'SHA-256';
  const fields: TestMrzFields = { ...defaultMrzFields(), ...options.mrz };
  const photo = options.photo ?? new Uint8Array(randomBytes(512));

  let mrzLines = formatMrz(fields);
  if (defects.wrongMrzCheckDigit) mrzLines = withWrongBirthDateCheckDigit(mrzLines, fields.format);
  const dg1 = encodeDg1(mrzLines);
  const dg2 = encodeDg2(photo);
  const aa = options.aa ? generateAaKey(options.aa) : undefined;
  const dg15 = aa ? encodeDg15(aa.publicKeyDer) : undefined;

  const documentSigner = await issueDocumentSigner(options, defects);
  const ldsHashAlgorithm: TestHashAlgorithm = defects.ldsHashAlgorithmSha1 ? 'SHA-1' : hashAlgorithm;
  const built = buildSod({
    dataGroups: new Map([
      [1, dg1] as const,
      ...(defects.omitDg2FromSod ? [] : [[2, dg2] as const]),
      ...(dg15 && !defects.omitDg15FromSod ? [[15, dg15] as const] : []),
    ]),
    ldsHashAlgorithm,
    declaredLdsHashAlgorithm: defects.sodHashAlgorithmMismatch ? otherSha2(hashAlgorithm) : undefined,
    signatureHashAlgorithm: hashAlgorithm,
    signer: { ...documentSigner, scheme: sodSignatureScheme(documentSigner.keyAlgorithm) },
    signerIdentifier: options.signerIdentifier,
    omitCertificate: defects.omitDscFromSod,
    alterSignature: defects.alterSodSignature,
    alterLdsAfterSigning: defects.alterLdsAfterSigning,
  });

  const aaRsaHashAlgorithm =
    aa?.key.asymmetricKeyType === 'rsa' ? (options.aaRsaHashAlgorithm ?? 'SHA-256') : undefined;
  return {
    dg1: defects.tamperDg1 ? withSurnameLetterChanged(dg1, mrzLines, fields) : dg1,
    dg2: defects.tamperDg2 ? withLastByteFlipped(dg2) : dg2,
    dg15: dg15 && defects.tamperDg15 ? withLastByteFlipped(dg15) : dg15,
    sod: built.sod,
    mrzLines,
    photo,
    hashAlgorithm,
    documentSigner,
    sodContentInfoDer: built.contentInfoDer,
    ldsSecurityObjectDer: built.ldsSecurityObjectDer,
    aaPrivateKey: aa?.key,
    aaRsaHashAlgorithm,
    signChallenge: aa
      ? createChallengeSigner(aa.key, { rsaHashAlgorithm: aaRsaHashAlgorithm })
      : () => {
          throw new Error('this test passport has no Active Authentication key');
        },
  };
}

async function issueDocumentSigner(options: TestPassportOptions, defects: TestPassportDefects) {
  const now = Date.now();
  const issuer = defects.dscSignedByOtherCsca ? await createTestCsca(options.csca.options) : options.csca;
  const isRsaCsca = options.csca.keyAlgorithm === 'RSA' || options.csca.keyAlgorithm === 'RSA-PSS';
  return issueTestDocumentSigner(issuer, {
    keyAlgorithm: options.dscKeyAlgorithm ?? (isRsaCsca ? 'RSA' : 'P-256'),
    notBefore: new Date(now - (defects.dscExpired ? 2 * YEAR_MS : DAY_MS)),
    notAfter: new Date(now + (defects.dscExpired ? -DAY_MS : 10 * YEAR_MS)),
  });
}

function sodSignatureScheme(keyAlgorithm: TestKeyAlgorithm): SodSignatureScheme {
  if (keyAlgorithm === 'RSA') return 'rsa-pkcs1';
  if (keyAlgorithm === 'RSA-PSS') return 'rsa-pss';
  return 'ecdsa';
}

function otherSha2(hashAlgorithm: HashAlgorithmName): HashAlgorithmName {
  return hashAlgorithm === 'SHA-512' ? 'SHA-256' : 'SHA-512';
}

function generateAaKey(kind: AaKind): { key: KeyObject; publicKeyDer: Uint8Array } {
  const pair =
    kind === 'ecdsa'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { key: pair.privateKey, publicKeyDer: new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' })) };
}

function withSurnameLetterChanged(dg1: Uint8Array, mrzLines: readonly string[], fields: TestMrzFields): Uint8Array {
  const offset = surnameOffset(fields.format);
  const mrz = mrzLines.join('');
  const replacement = mrz[offset] === 'X' ? 'Y' : 'X';
  return encodeDg1([mrz.slice(0, offset) + replacement + mrz.slice(offset + 1)]);
}

function withLastByteFlipped(file: Uint8Array): Uint8Array {
  const copy = concat(file);
  copy[copy.length - 1] ^= 0x01;
  return copy;
}
