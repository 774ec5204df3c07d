import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SAML facade finds a service by the Issuer of an AuthnRequest (the SP's entityID, kept in `services.saml`): one
 * SP entityID names one service, and the lookup is one index probe.
 */
export class Saml1795730000000 implements MigrationInterface {
  name = 'Saml1795730000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNIQUE INDEX "services_saml_entity_id_unique" ON "services" (("saml" ->> 'entityId')) WHERE "saml" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "services_saml_entity_id_unique"`);
  }
}
