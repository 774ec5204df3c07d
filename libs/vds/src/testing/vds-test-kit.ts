// Factories for this library's tests (and the vector generator's payloads). Not part of the public surface.
import { KeyObject, sign, webcrypto } from 'node:crypto';
import { X509CertificateGenerator } from '@peculiar/x509';
import { certificateReference } from '../codec/digests.js';
import { encodeHead, encodeVdsBinary } from '../codec/encode-binary.js';
import { toLowS } from '../signature/p256.js';
import { signVds } from '../signature/sign-vds.js';
import { signedMessage } from '../signature/signed-message.js';
import {
  IDENTITY_MANIFEST,
  SERVICE_MANIFEST,
  VDS_ENVIRONMENT,
  type IdentityPayload,
  type ManifestId,
  type ServicePayload,
  type VdsPayload,
  type VdsSigner,
  type VdsTrust,
} from '../types.js';

/** A 1×1 lossless WEBP (34 bytes): the smallest real photo the identity manifest accepts. */
export const TINY_WEBP = new Uint8Array(Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64'));

/** 2026-01-01T00:00:00Z. */
export const SIGNING_TIME = 1_767_225_600;

export function identityPayload(overrides: Partial<IdentityPayload> = {}): IdentityPayload {
  return {
    gn: 'ANNA MARIA',
    fn: 'ERIKSSON',
    dob: '1985-04-12',
    nat: 'SWE',
    sex: 'F',
    doc: 'XA0000001',
    dty: 'P',
    dst: 'SWE',
    dex: '2031-03-31',
    tid: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
    exp: '2030-12-31',
    lvl: 'high',
    photo: TINY_WEBP,
    face: new Uint8Array(Array.from({ length: 64 }, (_, index) => index)),
    ...overrides,
  };
}

export function servicePayload(overrides: Partial<ServicePayload> = {}): ServicePayload {
  return {
    sid: 'demo-shop',
    name: 'Demo Shop',
    url: 'https://shop.example',
    logo: 'https://shop.example/logo.png',
    scp: ['identity:basic', 'identity:age_over_18'],
    iat: SIGNING_TIME,
    exp: SIGNING_TIME + 365 * 86_400,
    iss: 'https://id.example',
    ...overrides,
  };
}

export interface TestSigner extends VdsSigner {
  privateKey: KeyObject;
}

/** A fresh P-256 key and a self-signed certificate for it (no UsageList: the in-test trust does not look). */
export async function createTestSigner(commonName = 'IDToken VDS test signer'): Promise<TestSigner> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const certificate = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: `CN=${commonName}`,
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2035-01-01T00:00:00Z'),
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    },
    webcrypto,
  );
  return {
    privateKey: KeyObject.from(keys.privateKey),
    publicKey: KeyObject.from(keys.publicKey),
    certificateDer: new Uint8Array(certificate.rawData),
  };
}

export function signTestVds(
  signer: TestSigner,
  manifestId: ManifestId,
  payload: VdsPayload,
  extra: { signingTime?: number; auxData?: Record<string, unknown> } = {},
): Uint8Array {
  return signVds({
    iac: 'IDT',
    cin: VDS_ENVIRONMENT.test,
    manifestId,
    certificateDer: signer.certificateDer,
    signingTime: extra.signingTime ?? SIGNING_TIME,
    payload,
    privateKey: signer.privateKey,
    auxData: extra.auxData,
  });
}

/**
 * Signs any payload bytes, valid or not, the way a forged or buggy signer could: signVds refuses to, so credentials
 * that are well signed but fail the manifest (step 2) are made here.
 */
export function signPayloadBytes(
  signer: TestSigner,
  manifestId: number,
  payloadBytes: Uint8Array,
  extra: { signingTime?: number; auxData?: Record<string, unknown> } = {},
): Uint8Array {
  const fields = {
    iac: 'IDT',
    cin: VDS_ENVIRONMENT.test,
    manifestId,
    certificateReference: certificateReference(signer.certificateDer),
    signingTime: extra.signingTime ?? SIGNING_TIME,
  };
  const message = signedMessage(encodeHead(fields, payloadBytes.length), payloadBytes);
  const signature = toLowS(sign('sha256', message, { key: signer.privateKey, dsaEncoding: 'ieee-p1363' }));
  return encodeVdsBinary({ ...fields, payloadBytes, signature, auxData: extra.auxData });
}

export const signIdentity = (signer: TestSigner, overrides: Partial<IdentityPayload> = {}) =>
  signTestVds(signer, IDENTITY_MANIFEST, identityPayload(overrides));

export const signService = (signer: TestSigner, overrides: Partial<ServicePayload> = {}) =>
  signTestVds(signer, SERVICE_MANIFEST, servicePayload(overrides));

/** A trust store in memory: knows `signers`, refuses them with `untrustedReason` when set, revokes `revoked`. */
export class TestTrust implements VdsTrust {
  readonly revoked = new Set<string>();
  untrustedReason: unknown = undefined;
  /** The `at` of every checkSigner call, to see which instant the verifier judged the certificate at. */
  readonly checkedAt: Date[] = [];

  constructor(private readonly signers: readonly VdsSigner[]) {}

  async findSigner(reference: Uint8Array): Promise<VdsSigner | undefined> {
    const wanted = Buffer.from(reference);
    return this.signers.find((signer) => wanted.equals(certificateReference(signer.certificateDer)));
  }

  async checkSigner(_signer: VdsSigner, _manifestId: number, at: Date): Promise<void> {
    this.checkedAt.push(at);
    if (this.untrustedReason !== undefined) throw this.untrustedReason;
  }

  async isRevoked(fingerprint: string): Promise<boolean> {
    return this.revoked.has(fingerprint);
  }
}

/**
 * A copy of `binary` with bit 0x02 flipped in the first byte of `text`'s first occurrence — "E" becomes "G", so a
 * name stays a valid name and only the signature can notice.
 */
export function flipBitInText(binary: Uint8Array, text: string): Uint8Array {
  const index = Buffer.from(binary).indexOf(text, 0, 'utf8');
  if (index < 0) throw new Error(`"${text}" is not in the binary`);
  const copy = new Uint8Array(binary);
  copy[index] ^= 0x02;
  return copy;
}
