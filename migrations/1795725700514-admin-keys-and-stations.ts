import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Admin, operator and station bearer keys (stored as keyed hashes) and issuance stations (spec §9). */
export class AdminKeysAndStations1795725700514 implements MigrationInterface {
  name = 'AdminKeysAndStations1795725700514';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "stations" (
        "station_id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "disabled_at" timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE "api_keys" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "role" text NOT NULL CHECK ("role" IN ('admin', 'operator', 'station')),
        "key_hash" text NOT NULL,
        "station_id" uuid REFERENCES "stations" ("station_id"),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "last_used_at" timestamptz,
        "revoked_at" timestamptz,
        CONSTRAINT "api_keys_key_hash_unique" UNIQUE ("key_hash"),
        CONSTRAINT "api_keys_station_role" CHECK (("role" = 'station') = ("station_id" IS NOT NULL))
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP TABLE "stations"`);
  }
}
