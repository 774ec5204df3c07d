import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bytea } from '#idtoken/platform';

/** A Country Signing CA of the master list used by passive authentication (spec §3, §9). */
@Entity('csca_certificates')
export class CscaCertificateEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  subject: string;

  /** hex(SHA-256(DER)). */
  @Column({ type: 'text', unique: true })
  fingerprint: string;

  @Column({ name: 'certificate_der', type: 'bytea', transformer: bytea })
  certificateDer: Buffer;

  @Column({ name: 'not_before', type: 'timestamptz' })
  notBefore: Date;

  @Column({ name: 'not_after', type: 'timestamptz' })
  notAfter: Date;

  @Column({ name: 'added_at', type: 'timestamptz', default: () => 'now()' })
  addedAt: Date;

  @Column({ name: 'added_by', type: 'text' })
  addedBy: string;
}
