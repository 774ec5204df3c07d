import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bytea } from '#idtoken/platform';

export type EnrollmentStatus = 'active' | 'revoked';
export const REVOCATION_REASONS = ['lost_device', 'compromised', 'expired_document', 'user_request'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** The identity claims kept for scopes (spec §7) — and nothing else: no face template, no raw document data. */
export interface EnrollmentClaims {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  nationality: string;
  documentNumber: string;
  /** The VDS photo (WEBP), base64: only `identity:photo` releases it. */
  photoBase64: string;
}

/** A device key bound to a tokenId (spec §4). At most one active enrollment per tokenId (partial unique index). */
@Entity('enrollments')
@Check('enrollments_status_check', `"status" IN ('active', 'revoked')`)
@Index('enrollments_one_active_per_token', ['tokenId'], { unique: true, where: `"status" = 'active'` })
@Index('enrollments_enrolled_idx', ['enrolledAt', 'id'])
@Index('enrollments_token_idx', ['tokenId', 'enrolledAt'])
export class EnrollmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'token_id', type: 'uuid' })
  tokenId: string;

  @Column({ type: 'text' })
  status: EnrollmentStatus;

  @Column({ name: 'public_key_spki', type: 'bytea', transformer: bytea })
  publicKeySpki: Buffer;

  @Column({ name: 'key_id', type: 'text' })
  keyId: string;

  @Column({ type: 'text' })
  platform: string;

  @Column({ name: 'push_token', type: 'text', nullable: true })
  pushToken: string | null;

  @Column({ name: 'vds_fingerprint', type: 'text', unique: true })
  vdsFingerprint: string;

  /**
   * The certificate reference (16 hex characters) of the certificate that signed the identity VDS: when it, or a
   * certificate above it, goes on the VRL, the enrollment stops (threat model, F3). Null for enrollments made before
   * it was recorded.
   */
  @Column({ name: 'signer_reference', type: 'text', nullable: true })
  signerReference: string | null;

  @Column({ name: 'trust_level', type: 'text' })
  trustLevel: 'substantial' | 'high';

  @Column({ type: 'jsonb' })
  claims: EnrollmentClaims;

  @Column({ name: 'enrolled_at', type: 'timestamptz', default: () => 'now()' })
  enrolledAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revocation_reason', type: 'text', nullable: true })
  revocationReason: RevocationReason | null;
}
