import { IsNull, type DataSource } from 'typeorm';
import type { AuditEventInput, AuditTrail } from '#idtoken/audit';
import { KeyMaterialEntity } from '../key-material.entity.js';
import type { KeyMaterial, KeyMaterialStore } from '../key-material.store.js';
import type { NewTokenKey, TokenKeyFamily } from './token-key-family.js';

/** What TokenKeys needs from storage: one family's rows of key_material, and adding one with its audit event. */
export interface TokenKeyRecords {
  /** Every key of the family, retired ones included, private keys opened. */
  list(): Promise<KeyMaterial[]>;
  /**
   * Adds `key` (signing from `activatesAt`) and, when `retirePrevious`, schedules every unretired key of the family
   * (never another family's) to stop signing at that same instant; records `event` in the same transaction.
   * Returns the kids scheduled to retire.
   */
  add(
    key: NewTokenKey,
    activatesAt: Date,
    options: { retirePrevious: boolean; event: AuditEventInput },
  ): Promise<string[]>;
  /**
   * Withdraws `kid` at `at` (it leaves the JWKS; it stops signing first if it still would) and, when it was not yet
   * retired, retires it at the same instant; records `event` in the same transaction. False for an unknown kid or
   * one withdrawn already (nothing recorded).
   */
  withdraw(kid: string, at: Date, event: AuditEventInput): Promise<boolean>;
}

/** TokenKeyRecords on key_material (the family's purpose, private keys sealed under MASTER). */
export class KeyMaterialTokenKeyRecords implements TokenKeyRecords {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: KeyMaterialStore,
    private readonly audit: AuditTrail,
    private readonly family: Pick<TokenKeyFamily, 'purpose' | 'algorithm'>,
  ) {}

  list(): Promise<KeyMaterial[]> {
    return this.store.list(this.family.purpose);
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
            where: { purpose: this.family.purpose, retiredAt: IsNull() },
            select: { kid: true },
          })
        : [];
      for (const { kid } of retiring) await this.store.retire(kid, activatesAt, manager);
      await this.store.save(
        {
          purpose: this.family.purpose,
          kid: key.kid,
          algorithm: this.family.algorithm,
          privateKey: key.privateKey,
          certificateDer: key.certificateDer,
          activatesAt,
        },
        manager,
      );
      const kids = retiring.map((row) => row.kid);
      await this.audit.record({ ...options.event, data: { ...options.event.data, retiring: kids } }, manager);
      return kids;
    });
  }

  async withdraw(kid: string, at: Date, event: AuditEventInput): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(KeyMaterialEntity);
      const row = await repository.findOne({
        where: { purpose: this.family.purpose, kid },
        lock: { mode: 'pessimistic_write' },
      });
      // Withdrawn already (a concurrent call won): nothing to change, nothing to record.
      if (!row || row.withdrawnAt) return false;
      if (row.activatesAt > at && row.retiredAt) {
        // A key that has not signed yet, superseded by a later rotation: the keys due to hand over to it hand over
        // to its successor instead, so some key signs at every instant.
        await repository.update(
          { purpose: this.family.purpose, retiredAt: row.activatesAt },
          { retiredAt: row.retiredAt },
        );
      }
      await repository.update({ id: row.id }, { withdrawnAt: at, retiredAt: row.retiredAt ?? at });
      await this.audit.record(event, manager);
      return true;
    });
  }
}
