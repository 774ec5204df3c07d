import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Device key bindings (spec §4): at most one active enrollment per tokenId, each VDS enrolled once. */
export class Enrollments1795725701514 implements MigrationInterface {
  name = 'Enrollments1795725701514';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "enrollments" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "token_id" uuid NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('active', 'revoked')),
        "public_key_spki" bytea NOT NULL,
        "key_id" text NOT NULL,
        "platform" text NOT NULL,
        "push_token" text,
        "vds_fingerprint" text NOT NULL,
        "trust_level" text NOT NULL,
        "claims" jsonb NOT NULL,
        "enrolled_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "revoked_at" timestamptz,
        "revocation_reason" text,
        CONSTRAINT "enrollments_vds_fingerprint_unique" UNIQUE ("vds_fingerprint")
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "enrollments_one_active_per_token" ON "enrollments" ("token_id") WHERE "status" = 'active'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "enrollments"`);
  }
}
