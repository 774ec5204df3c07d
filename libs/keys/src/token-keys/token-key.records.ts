import { IsNull, type DataSource } from 'typeorm';
import type { AuditEventInput, AuditTrail } from '#idtoken/audit';
import { KeyMaterialEntity } from '../key-material.entity.js';
import type { KeyMaterial, KeyMaterialStore } from '../key-material.store.js';
import { TOKEN_SIGNING_ALGORITHM, TOKEN_SIGNING_PURPOSE, type NewTokenKey } from './new-token-key.js';

/** What TokenKeys needs from storage: the token-signing rows of key_material, and adding one with its audit event. */
export interface TokenKeyRecords {
  /** Every token-signing key, retired ones included, private keys opened. */
  list(): Promise<KeyMaterial[]>;
  /**
   * Adds `key` (signing from `activatesAt`) and, when `retirePrevious`, schedules every unretired key to stop
   * signing at that same instant; records `event` in the same transaction. Returns the kids scheduled to retire.
   */
  add(
    key: NewTokenKey,
    activatesAt: Date,
    options: { retirePrevious: boolean; event: AuditEventInput },
  ): Promise<string[]>;
}

/** TokenKeyRecords on key_material (purpose `token-signing`, private keys sealed under MASTER). */
export class KeyMaterialTokenKeyRecords implements TokenKeyRecords {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: KeyMaterialStore,
    private readonly audit: AuditTrail,
  ) {}

  list(): Promise<KeyMaterial[]> {
    return this.store.list(TOKEN_SIGNING_PURPOSE);
  }

  async add(
    key: NewTokenKey,
    activatesAt: Date,
    options: { retirePrevious: boolean; event: AuditEventInput },
  ): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(KeyMaterialEntity);
      const retiring = options.retirePrevious
        ? await repository.find({
            where: { purpose: TOKEN_SIGNING_PURPOSE, retiredAt: IsNull() },
            select: { kid: true },
          })
        : [];
      for (const { kid } of retiring) await this.store.retire(kid, activatesAt, manager);
      await this.store.save(
        {
          purpose: TOKEN_SIGNING_PURPOSE,
          kid: key.kid,
          algorithm: TOKEN_SIGNING_ALGORITHM,
          privateKey: key.privateKey,
          activatesAt,
        },
        manager,
      );
      const kids = retiring.map((row) => row.kid);
      await this.audit.record({ ...options.event, data: { ...options.event.data, retiring: kids } }, manager);
      return kids;
    });
  }
}
