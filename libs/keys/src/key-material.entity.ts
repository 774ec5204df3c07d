import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bytea } from '#idtoken/platform';

/** A server key pair: public part in clear, private part sealed under MASTER (see SecretBox). */
@Entity('key_material')
@Index('key_material_purpose_idx', ['purpose', 'createdAt'])
export class KeyMaterialEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** What the key signs, e.g. `token-signing`, `service-vds`, `identity-vds`, `trust-anchor`. */
  @Column({ type: 'text' })
  purpose: string;

  @Column({ type: 'text', unique: true })
  kid: string;

  @Column({ type: 'text' })
  algorithm: string;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk: Record<string, unknown>;

  @Column({ name: 'certificate_der', type: 'bytea', nullable: true, transformer: bytea })
  certificateDer: Buffer | null;

  @Column({ name: 'sealed_private_key', type: 'bytea', transformer: bytea })
  sealedPrivateKey: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'activates_at', type: 'timestamptz', default: () => 'now()' })
  activatesAt: Date;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;

  /** From here on the key is not published either, grace or not (withdrawn by an admin: a compromised key). */
  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;
}
