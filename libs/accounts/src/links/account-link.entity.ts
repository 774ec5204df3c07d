import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ServiceEntity } from '#idtoken/services';

/**
 * Enterprise attributes a passport does not carry (an email for Okta and Entra; a UPN and an ImmutableID for Entra
 * SAML), attached by an admin to one tokenId for one service.
 *
 * Email and username are aliases a facade may look a tokenId up by, so each is unique per service regardless of
 * case: `UNIQUE (service_id, lower(…)) WHERE … IS NOT NULL`. TypeORM cannot describe an expression index, so the two
 * indexes live in the migration and are declared here with `synchronize: false`, which tells the schema diff to leave
 * them alone.
 */
@Entity('account_links')
@Index('account_links_email_unique', { synchronize: false })
@Index('account_links_username_unique', { synchronize: false })
export class AccountLinkEntity {
  @PrimaryColumn({ name: 'service_id', type: 'text' })
  serviceId: string;

  @PrimaryColumn({ name: 'token_id', type: 'uuid' })
  tokenId: string;

  @ManyToOne(() => ServiceEntity)
  @JoinColumn({ name: 'service_id', foreignKeyConstraintName: 'account_links_service_id_fkey' })
  service?: ServiceEntity;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified: boolean;

  /** Entra's userPrincipalName. */
  @Column({ type: 'text', nullable: true })
  upn: string | null;

  /** Entra's ImmutableID (the on-premises sourceAnchor, usually base64 of an objectGUID). */
  @Column({ name: 'immutable_id', type: 'text', nullable: true })
  immutableId: string | null;

  @Column({ type: 'text', nullable: true })
  username: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  groups: string[];

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
