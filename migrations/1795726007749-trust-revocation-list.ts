import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The VDS Revocation List of spec §2: revoked VDS fingerprints and revoked certificate references. */
export class TrustRevocationList1795726007749 implements MigrationInterface {
  name = 'TrustRevocationList1795726007749';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "trust_revoked_fingerprints" (
        "fingerprint" text PRIMARY KEY,
        "reason" text NOT NULL,
        "revoked_by" text NOT NULL,
        "revoked_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "trust_revoked_fingerprints_hex" CHECK ("fingerprint" ~ '^[0-9a-f]{64}$')
      )`);
    await queryRunner.query(`
      CREATE TABLE "trust_revoked_certificates" (
        "certificate_reference" text PRIMARY KEY,
        "reason" text NOT NULL,
        "revoked_by" text NOT NULL,
        "revoked_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "trust_revoked_certificates_hex" CHECK ("certificate_reference" ~ '^[0-9a-f]{16}$')
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "trust_revoked_certificates"`);
    await queryRunner.query(`DROP TABLE "trust_revoked_fingerprints"`);
  }
}
