import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * oidc-provider's models (sessions, interactions, grants, codes, tokens) in one table, and the service secret
 * sealed under MASTER, which oidc-provider needs in clear for client_secret_jwt and HS256 request objects.
 */
export class Oidc1795728000000 implements MigrationInterface {
  name = 'Oidc1795728000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "oidc_models" (
        "kind" text NOT NULL,
        "id" text NOT NULL,
        "payload" jsonb NOT NULL,
        "grant_id" text,
        "user_code" text,
        "uid" text,
        "expires_at" timestamptz,
        "consumed_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("kind", "id")
      )`);
    await queryRunner.query(`CREATE INDEX "oidc_models_grant_id_idx" ON "oidc_models" ("grant_id")`);
    await queryRunner.query(`CREATE INDEX "oidc_models_kind_uid_idx" ON "oidc_models" ("kind", "uid")`);
    await queryRunner.query(`CREATE INDEX "oidc_models_kind_user_code_idx" ON "oidc_models" ("kind", "user_code")`);
    await queryRunner.query(`CREATE INDEX "oidc_models_expires_at_idx" ON "oidc_models" ("expires_at")`);
    await queryRunner.query(`ALTER TABLE "services" ADD COLUMN "secret_sealed" bytea`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "services" DROP COLUMN "secret_sealed"`);
    await queryRunner.query(`DROP TABLE "oidc_models"`);
  }
}
