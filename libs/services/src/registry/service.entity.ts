import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bytea } from '#idtoken/platform';

export const SUBJECT_TYPES = ['pairwise', 'public'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

/** A public key registered for a signed client assertion (RFC 7523, spec §6.1); managed by a later issue. */
export interface ServicePublicKey {
  kid: string;
  jwk: Record<string, unknown>;
}

/**
 * A relying party (spec §5). One record carries the direct-API settings and, in `oidc` and `saml`, the OIDC
 * client and SAML SP settings the facades add later (docs/decisions.md "Services").
 */
@Entity('services')
// UNIQUE ((saml ->> 'entityId')): an expression index the schema diff cannot describe, so it lives in the migration.
@Index('services_saml_entity_id_unique', { synchronize: false })
@Check('services_subject_type_check', `"subject_type" IN ('pairwise', 'public')`)
export class ServiceEntity {
  @PrimaryColumn({ name: 'service_id', type: 'text' })
  serviceId: string;

  @Column({ type: 'text' })
  name: string;

  /** The service's origin, as a browser's Origin header spells it (spec §6.4 compares them). */
  @Column({ type: 'text' })
  url: string;

  @Column({ name: 'logo_url', type: 'text', nullable: true })
  logoUrl: string | null;

  @Column({ name: 'allowed_scopes', type: 'jsonb' })
  allowedScopes: string[];

  @Column({ name: 'default_scopes', type: 'jsonb' })
  defaultScopes: string[];

  @Column({ name: 'privacy_policy_url', type: 'text', nullable: true })
  privacyPolicyUrl: string | null;

  @Column({ name: 'consent_required', type: 'boolean', default: true })
  consentRequired: boolean;

  @Column({ name: 'require_trust', type: 'boolean', default: true })
  requireTrust: boolean;

  @Column({ name: 'public_initiate', type: 'boolean', default: false })
  publicInitiate: boolean;

  @Column({ name: 'subject_type', type: 'text', default: 'pairwise' })
  subjectType: SubjectType;

  /** HMAC-SHA256(pepper, serviceSecret), hex; null when the service has no secret (publicInitiate). */
  @Column({ name: 'secret_hash', type: 'text', nullable: true })
  secretHash: string | null;

  /**
   * The secret sealed under MASTER (SecretBox): oidc-provider needs the secret itself for client_secret_jwt and
   * HS256 request objects; null for services created before it existed or without a secret.
   */
  @Column({ name: 'secret_sealed', type: 'bytea', nullable: true, transformer: bytea })
  secretSealed: Buffer | null;

  @Column({ name: 'public_keys', type: 'jsonb' })
  publicKeys: ServicePublicKey[];

  @Column({ name: 'token_lifetime_seconds', type: 'integer', default: 300 })
  tokenLifetimeSeconds: number;

  /** OIDC client settings (libs/oidc), null until configured. */
  @Column({ type: 'jsonb', nullable: true })
  oidc: Record<string, unknown> | null;

  /** SAML SP settings (libs/saml), null until configured. */
  @Column({ type: 'jsonb', nullable: true })
  saml: Record<string, unknown> | null;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
