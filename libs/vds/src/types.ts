import type { KeyObject } from 'node:crypto';
import type { VerifiedVdsCache } from './verify/verified-vds-cache.js';

/** Manifest IDs of spec §2 (3 bytes, big-endian on the wire). */
export const IDENTITY_MANIFEST = 0x0a0001;
export const SERVICE_MANIFEST = 0x0a0002;
export type ManifestId = typeof IDENTITY_MANIFEST | typeof SERVICE_MANIFEST;

/** CIN byte of the PREFIX: the deployment environment. */
export const VDS_ENVIRONMENT = { production: 0x01, test: 0x02, development: 0x03 } as const;

/** The verification failures of spec §2, in the order they are checked. */
export type VdsErrorCode =
  | 'vds_malformed'
  | 'vds_schema'
  | 'vds_unknown_signer'
  | 'vds_untrusted_signer'
  | 'vds_bad_signature'
  | 'vds_expired'
  | 'vds_revoked';

/** Identity VDS payload, manifest 0x0A0001 (spec §2). Byte strings are Uint8Array. */
export interface IdentityPayload {
  gn: string;
  fn: string;
  dob: string;
  nat: string;
  sex?: 'M' | 'F' | 'X';
  doc: string;
  dty?: 'P' | 'ID';
  dst?: string;
  dex?: string;
  tid: string;
  exp: string;
  lvl: 'substantial' | 'high';
  photo: Uint8Array;
  face: Uint8Array;
}

/** Service VDS payload, manifest 0x0A0002 (spec §2). */
export interface ServicePayload {
  sid: string;
  name: string;
  url: string;
  logo: string;
  scp: string[];
  iat: number;
  exp: number;
  iss: string;
}

export type VdsPayload = IdentityPayload | ServicePayload;

/** The parts of a decoded VDS; `signedBytes` is PREFIX ‖ HEADER, `payloadBytes` the MessagePack map. */
export interface DecodedVds {
  iac: string;
  cin: number;
  version: number;
  manifestId: number;
  /** First 8 bytes of SHA-256(signing certificate DER). */
  certificateReference: Uint8Array;
  /** Unix seconds. */
  signingTime: number;
  payloadBytes: Uint8Array;
  /** Raw r ‖ s, 64 bytes. */
  signature: Uint8Array;
  auxData: Record<string, unknown> | undefined;
  /** hex(SHA-256(binary without AUXDATA)). */
  fingerprint: string;
  /** The binary without AUXDATA. */
  binary: Uint8Array;
}

/** The signing certificate found by its reference (step 3). */
export interface VdsSigner {
  certificateDer: Uint8Array;
  publicKey: KeyObject;
}

/**
 * What a verifier needs from a trust store (implemented by libs/trust; tests may build their own).
 * Steps 3, 4 and 7 of spec §2.
 */
export interface VdsTrust {
  findSigner(certificateReference: Uint8Array): Promise<VdsSigner | undefined>;
  /** Resolves when the chain is valid to an anchor at `at`, not revoked, and the UsageList lists `manifestId`; rejects otherwise. */
  checkSigner(signer: VdsSigner, manifestId: number, at: Date): Promise<void>;
  isRevoked(fingerprint: string): Promise<boolean>;
}

export interface SignVdsInput {
  /** 3 upper-case ASCII letters; this server's default is IDT. */
  iac: string;
  cin: number;
  manifestId: ManifestId;
  certificateDer: Uint8Array;
  /** Unix seconds. */
  signingTime: number;
  payload: VdsPayload;
  privateKey: KeyObject;
  auxData?: Record<string, unknown>;
}

export interface VerifiedVds<P extends VdsPayload = VdsPayload> {
  decoded: DecodedVds;
  payload: P;
  signer: VdsSigner;
}

/** Options of `verifyVds` (spec §2, "Verification of a VDS"). */
export interface VerifyVdsOptions {
  trust: VdsTrust;
  /** The verification instant: the signer's certificate (step 4) and the credential's expiry (step 6) are judged at it. */
  now: Date;
  /** When set, a credential of any other manifest fails step 2 (vds_schema) — e.g. an identity VDS offered as a Service VDS. */
  expectedManifestId?: ManifestId;
  /** Credentials in text form that passed recently: steps 1, 2 and 5 are not repeated for them (VerifiedVdsCache). */
  cache?: VerifiedVdsCache;
}

/** The payload type of a manifest ID. */
export type PayloadOf<M extends ManifestId> = M extends typeof IDENTITY_MANIFEST ? IdentityPayload : ServicePayload;
