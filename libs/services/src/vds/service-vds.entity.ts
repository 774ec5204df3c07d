import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ServiceEntity } from '../registry/service.entity.js';

/**
 * Every Service VDS issued (spec §2 manifest 0x0A0002, §5). The newest is the one served; older ones stay valid
 * until they expire, and all unexpired ones go on the VRL when their service is disabled.
 */
@Entity('service_vds')
@Index('service_vds_service_id_issued_at', ['serviceId', 'issuedAt'])
export class ServiceVdsEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'service_id', type: 'text' })
  serviceId: string;

  @ManyToOne(() => ServiceEntity)
  @JoinColumn({ name: 'service_id', foreignKeyConstraintName: 'service_vds_service_id_fkey' })
  service?: ServiceEntity;

  /** "VDS1:…", exactly as served and rendered as a QR code. */
  @Column({ type: 'text' })
  text: string;

  @Column({ type: 'text', unique: true })
  fingerprint: string;

  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
