import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One oidc-provider model instance (Session, Interaction, Grant, AuthorizationCode, AccessToken, RefreshToken,
 * …), stored as the provider hands it over. The lookup columns are copied out of the payload so the adapter's
 * `findByUid`, `findByUserCode` and `revokeByGrantId` use an index instead of scanning jsonb.
 */
@Entity('oidc_models')
@Index('oidc_models_grant_id_idx', ['grantId'])
@Index('oidc_models_kind_uid_idx', ['kind', 'uid'])
@Index('oidc_models_kind_user_code_idx', ['kind', 'userCode'])
@Index('oidc_models_expires_at_idx', ['expiresAt'])
export class OidcModelEntity {
  /** The oidc-provider model name, e.g. `Session` or `AccessToken`. */
  @PrimaryColumn({ type: 'text' })
  kind: string;

  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ name: 'grant_id', type: 'text', nullable: true })
  grantId: string | null;

  @Column({ name: 'user_code', type: 'text', nullable: true })
  userCode: string | null;

  @Column({ type: 'text', nullable: true })
  uid: string | null;

  /** Null for models stored without an `expiresIn`. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
