import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Administration (issue 8): a token key can be withdrawn — out of the JWKS at once, before its grace ends (a
 * compromised key) — and the admin list of enrollments pages newest first, and a tokenId's history is one index
 * probe (the only index on token_id so far covered active rows).
 */
export class AdminOperations1795731000000 implements MigrationInterface {
  name = 'AdminOperations1795731000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "key_material" ADD "withdrawn_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "enrollments_enrolled_idx" ON "enrollments" ("enrolled_at", "id")`);
    await queryRunner.query(`CREATE INDEX "enrollments_token_idx" ON "enrollments" ("token_id", "enrolled_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "enrollments_token_idx"`);
    await queryRunner.query(`DROP INDEX "enrollments_enrolled_idx"`);
    await queryRunner.query(`ALTER TABLE "key_material" DROP COLUMN "withdrawn_at"`);
  }
}
