import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ServiceEntity } from '../registry/service.entity.js';

/** A holder's trust in a service (spec §5, `POST /devices/trust`), required at initiate when `requireTrust`. */
@Entity('service_trust_bindings')
export class TrustBindingEntity {
  @PrimaryColumn({ name: 'token_id', type: 'uuid' })
  tokenId: string;

  @PrimaryColumn({ name: 'service_id', type: 'text' })
  serviceId: string;

  @ManyToOne(() => ServiceEntity)
  @JoinColumn({ name: 'service_id', foreignKeyConstraintName: 'service_trust_bindings_service_id_fkey' })
  service?: ServiceEntity;

  /** The Service VDS's `scp` the holder saw when trusting. */
  @Column({ type: 'jsonb' })
  scopes: string[];

  /** Which Service VDS the holder presented. */
  @Column({ name: 'vds_fingerprint', type: 'text' })
  vdsFingerprint: string;

  @Column({ name: 'trusted_at', type: 'timestamptz', default: () => 'now()' })
  trustedAt: Date;
}
