import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { StationEntity } from '../stations/station.entity.js';
import type { Role } from './roles.js';

/** An admin, operator or station bearer key. Only its keyed hash is stored; the key is shown once. */
@Entity('api_keys')
@Check('api_keys_role_check', `"role" IN ('admin', 'operator', 'station')`)
@Check('api_keys_station_role', `("role" = 'station') = ("station_id" IS NOT NULL)`)
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  role: Role;

  @Column({ name: 'key_hash', type: 'text', unique: true })
  keyHash: string;

  @Column({ name: 'station_id', type: 'uuid', nullable: true })
  stationId: string | null;

  @ManyToOne(() => StationEntity, { nullable: true })
  @JoinColumn({ name: 'station_id', foreignKeyConstraintName: 'api_keys_station_id_fkey' })
  station?: StationEntity;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
