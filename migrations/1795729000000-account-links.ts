import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account links: per-service enterprise attributes of a tokenId (email, UPN, ImmutableID, username, groups) for the
 * OIDC and SAML facades. Email and username are lookup aliases, unique per service regardless of case.
 */
export class AccountLinks1795729000000 implements MigrationInterface {
  name = 'AccountLinks1795729000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "account_links" (
        "service_id" text NOT NULL REFERENCES "services" ("service_id"),
        "token_id" uuid NOT NULL,
        "email" text,
        "email_verified" boolean NOT NULL DEFAULT false,
        "upn" text,
        "immutable_id" text,
        "username" text,
        "groups" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("service_id", "token_id")
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "account_links_email_unique" ON "account_links" ("service_id", lower("email")) WHERE "email" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "account_links_username_unique" ON "account_links" ("service_id", lower("username")) WHERE "username" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "account_links"`);
  }
}
