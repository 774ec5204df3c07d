import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** A CA or signing certificate revoked by certificate reference (spec §2 step 4). Rows are never removed. */
@Entity('trust_revoked_certificates')
@Check('trust_revoked_certificates_hex', `"certificate_reference" ~ '^[0-9a-f]{16}$'`)
export class RevokedCertificateEntity {
  /** First 8 bytes of SHA-256 of the certificate's DER, lower-case hex. */
  @PrimaryColumn({ name: 'certificate_reference', type: 'text' })
  certificateReference: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'revoked_by', type: 'text' })
  revokedBy: string;

  @Column({ name: 'revoked_at', type: 'timestamptz', default: () => 'now()' })
  revokedAt: Date;
}
