import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** A VDS on the VDS Revocation List (spec §2 step 7), by fingerprint. Rows are never removed. */
@Entity('trust_revoked_fingerprints')
@Check('trust_revoked_fingerprints_hex', `"fingerprint" ~ '^[0-9a-f]{64}$'`)
export class RevokedFingerprintEntity {
  /** hex(SHA-256(binary without AUXDATA)), lower case. */
  @PrimaryColumn({ type: 'text' })
  fingerprint: string;

  @Column({ type: 'text' })
  reason: string;

  /** Who revoked it, as the audit trail names actors (e.g. `admin:<keyId>`, `cli`). */
  @Column({ name: 'revoked_by', type: 'text' })
  revokedBy: string;

  @Column({ name: 'revoked_at', type: 'timestamptz', default: () => 'now()' })
  revokedAt: Date;
}
