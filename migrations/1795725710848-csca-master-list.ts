import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Country Signing CA certificates trusted by passive authentication (spec §3, §9). */
export class CscaMasterList1795725710848 implements MigrationInterface {
  name = 'CscaMasterList1795725710848';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "csca_certificates" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "subject" text NOT NULL,
        "fingerprint" text NOT NULL,
        "certificate_der" bytea NOT NULL,
        "not_before" timestamptz NOT NULL,
        "not_after" timestamptz NOT NULL,
        "added_at" timestamptz NOT NULL DEFAULT now(),
        "added_by" text NOT NULL,
        CONSTRAINT "csca_certificates_fingerprint_unique" UNIQUE ("fingerprint")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "csca_certificates"`);
  }
}
