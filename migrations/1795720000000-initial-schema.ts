import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Server key material (sealed at rest) and the append-only audit trail. */
export class InitialSchema1795720000000 implements MigrationInterface {
  name = 'InitialSchema1795720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "key_material" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "purpose" text NOT NULL,
        "kid" text NOT NULL,
        "algorithm" text NOT NULL,
        "public_jwk" jsonb NOT NULL,
        "certificate_der" bytea,
        "sealed_private_key" bytea NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "activates_at" timestamptz NOT NULL DEFAULT now(),
        "retired_at" timestamptz,
        CONSTRAINT "key_material_kid_unique" UNIQUE ("kid")
      )`);
    await queryRunner.query(`CREATE INDEX "key_material_purpose_idx" ON "key_material" ("purpose", "created_at")`);

    await queryRunner.query(`
      CREATE TABLE "audit_events" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "occurred_at" timestamptz NOT NULL DEFAULT now(),
        "type" text NOT NULL,
        "actor" text,
        "subject" text,
        "request_id" text,
        "ip" text,
        "data" jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await queryRunner.query(`CREATE INDEX "audit_events_type_idx" ON "audit_events" ("type", "id")`);
    await queryRunner.query(`CREATE INDEX "audit_events_subject_idx" ON "audit_events" ("subject", "id")`);
    // The trail is evidence: the database itself refuses to change or remove a row.
    await queryRunner.query(`
      CREATE FUNCTION "audit_events_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events"
      FOR EACH ROW EXECUTE FUNCTION "audit_events_refuse_change"()`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_refuse_change"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP FUNCTION "audit_events_refuse_change"()`);
    await queryRunner.query(`DROP TABLE "key_material"`);
  }
}
