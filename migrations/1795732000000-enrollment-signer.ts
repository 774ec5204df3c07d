import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each enrollment records the certificate that signed its identity VDS, so that revoking that certificate (or one above
 * it) stops the enrollments made with it (threat model, F3). Rows from before stay null: the VDS itself is not kept,
 * so their signer cannot be recovered; they are still stopped by their fingerprint.
 */
export class EnrollmentSigner1795732000000 implements MigrationInterface {
  name = 'EnrollmentSigner1795732000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "enrollments" ADD "signer_reference" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "enrollments" DROP COLUMN "signer_reference"`);
  }
}
