import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { SecretBox } from '#idtoken/platform';
import { KeyMaterialEntity } from './key-material.entity.js';

export interface NewKeyMaterial {
  purpose: string;
  kid: string;
  algorithm: string;
  privateKey: KeyObject;
  certificateDer?: Buffer;
  activatesAt?: Date;
}

export interface KeyMaterial {
  purpose: string;
  kid: string;
  algorithm: string;
  publicJwk: Record<string, unknown>;
  privateKey: KeyObject;
  certificateDer: Buffer | null;
  createdAt: Date;
  activatesAt: Date;
  retiredAt: Date | null;
  withdrawnAt: Date | null;
}

/**
 * Persists server key pairs with the private key sealed at rest. The seal is bound to the row's kid,
 * so a sealed key copied onto another row does not open.
 */
export class KeyMaterialStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
  ) {}

  /** `manager`: the caller's transaction, so the key and its audit event commit together. */
  async save(key: NewKeyMaterial, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const pkcs8 = key.privateKey.export({ format: 'der', type: 'pkcs8' });
    const repository = manager.getRepository(KeyMaterialEntity);
    await repository.save(
      repository.create({
        purpose: key.purpose,
        kid: key.kid,
        algorithm: key.algorithm,
        publicJwk: {
          ...createPublicKey(key.privateKey).export({ format: 'jwk' }),
        },
        certificateDer: key.certificateDer ?? null,
        sealedPrivateKey: this.box.seal(pkcs8, `key_material:${key.kid}`),
        ...(key.activatesAt ? { activatesAt: key.activatesAt } : {}),
      }),
    );
  }

  /** Keys of one purpose, oldest first, including retired ones. */
  async list(purpose: string): Promise<KeyMaterial[]> {
    const rows = await this.dataSource
      .getRepository(KeyMaterialEntity)
      .find({ where: { purpose }, order: { createdAt: 'ASC' } });
    return rows.map((row) => this.open(row));
  }

  async retire(kid: string, at: Date = new Date(), manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.getRepository(KeyMaterialEntity).update({ kid }, { retiredAt: at });
  }

  private open(row: KeyMaterialEntity): KeyMaterial {
    const pkcs8 = this.box.open(row.sealedPrivateKey, `key_material:${row.kid}`);
    return {
      purpose: row.purpose,
      kid: row.kid,
      algorithm: row.algorithm,
      publicJwk: row.publicJwk,
      privateKey: createPrivateKey({
        key: pkcs8,
        format: 'der',
        type: 'pkcs8',
      }),
      certificateDer: row.certificateDer,
      createdAt: row.createdAt,
      activatesAt: row.activatesAt,
      retiredAt: row.retiredAt,
      withdrawnAt: row.withdrawnAt,
    };
  }
}
