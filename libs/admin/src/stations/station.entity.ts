import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An issuance station: a kiosk or desk that reads document chips and faces (spec §3). */
@Entity('stations')
export class StationEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'station_id' })
  stationId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;
}
