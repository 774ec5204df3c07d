import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Services (spec §5), the Service VDSs issued to them (§2 manifest 0x0A0002) and holders' trust bindings. */
export class Services1795727000000 implements MigrationInterface {
  name = 'Services1795727000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "services" (
        "service_id" text PRIMARY KEY,
        "name" text NOT NULL,
        "url" text NOT NULL,
        "logo_url" text,
        "allowed_scopes" jsonb NOT NULL,
        "default_scopes" jsonb NOT NULL,
        "privacy_policy_url" text,
        "consent_required" boolean NOT NULL DEFAULT true,
        "require_trust" boolean NOT NULL DEFAULT true,
        "public_initiate" boolean NOT NULL DEFAULT false,
        "subject_type" text NOT NULL DEFAULT 'pairwise',
        "secret_hash" text,
        "public_keys" jsonb NOT NULL,
        "token_lifetime_seconds" integer NOT NULL DEFAULT 300,
        "oidc" jsonb,
        "saml" jsonb,
        "disabled_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "services_subject_type_check" CHECK ("subject_type" IN ('pairwise', 'public'))
      )`);
    await queryRunner.query(`
      CREATE TABLE "service_vds" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "service_id" text NOT NULL REFERENCES "services" ("service_id"),
        "text" text NOT NULL,
        "fingerprint" text NOT NULL,
        "issued_at" timestamptz NOT NULL,
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "service_vds_fingerprint_unique" UNIQUE ("fingerprint")
      )`);
    await queryRunner.query(
      `CREATE INDEX "service_vds_service_id_issued_at" ON "service_vds" ("service_id", "issued_at")`,
    );
    await queryRunner.query(`
      CREATE TABLE "service_trust_bindings" (
        "token_id" uuid NOT NULL,
        "service_id" text NOT NULL REFERENCES "services" ("service_id"),
        "scopes" jsonb NOT NULL,
        "vds_fingerprint" text NOT NULL,
        "trusted_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("token_id", "service_id")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "service_trust_bindings"`);
    await queryRunner.query(`DROP TABLE "service_vds"`);
    await queryRunner.query(`DROP TABLE "services"`);
  }
}
