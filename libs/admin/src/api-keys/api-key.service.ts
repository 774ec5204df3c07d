import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { AppConfig, deriveKey } from '#idtoken/platform';
import { ApiKeyEntity } from './api-key.entity.js';
import type { Principal, Role } from './roles.js';

/** How often last_used_at is written for one key: often enough to audit, rarely enough to stay off the hot path. */
const LAST_USED_GRANULARITY_MS = 60_000;

/**
 * Issues and checks bearer API keys. Keys are 32 random bytes (`idt_` + base64url); the database keeps
 * HMAC-SHA256(pepper, key) with a pepper derived from MASTER, so a stolen table yields no usable key and
 * lookups are a unique-index probe (no timing signal about stored keys).
 */
@Injectable()
export class ApiKeyService {
  private readonly pepper: Buffer;
  private readonly bootstrapHash: Buffer | undefined;

  constructor(
    private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.pepper = deriveKey(config.masterSecret, 'IDToken/v1/api-key-pepper');
    this.bootstrapHash = config.bootstrapAdminKey ? this.hash(config.bootstrapAdminKey) : undefined;
  }

  private hash(key: string): Buffer {
    return createHmac('sha256', this.pepper).update(key, 'utf8').digest();
  }

  /** Creates a key and returns it once; only its hash is stored. */
  async create(
    input: { name: string; role: Role; stationId?: string },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ id: string; apiKey: string }> {
    const apiKey = `idt_${randomBytes(32).toString('base64url')}`;
    const repository = manager.getRepository(ApiKeyEntity);
    const row = await repository.save(
      repository.create({
        name: input.name,
        role: input.role,
        stationId: input.stationId ?? null,
        keyHash: this.hash(apiKey).toString('hex'),
      }),
    );
    return { id: row.id, apiKey };
  }

  /** Revokes every live key of a station (the station is being disabled); returns their ids. */
  async revokeStationKeys(stationId: string, manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    const repository = manager.getRepository(ApiKeyEntity);
    const live = await repository.find({ where: { stationId, revokedAt: IsNull() } });
    if (live.length > 0)
      await repository.update(
        live.map((row) => row.id),
        { revokedAt: new Date() },
      );
    return live.map((row) => row.id);
  }

  /** The principal a bearer key stands for, or undefined when it is unknown or revoked. */
  async authenticate(presented: string): Promise<Principal | undefined> {
    const hash = this.hash(presented);
    if (this.bootstrapHash && timingSafeEqual(hash, this.bootstrapHash)) {
      return { keyId: 'bootstrap', role: 'admin', name: 'bootstrap admin key', stationId: null };
    }
    const repository = this.dataSource.getRepository(ApiKeyEntity);
    const row = await repository.findOne({ where: { keyHash: hash.toString('hex'), revokedAt: IsNull() } });
    if (!row) return undefined;
    const now = new Date();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
      await repository.update({ id: row.id }, { lastUsedAt: now });
    }
    return { keyId: row.id, role: row.role, name: row.name, stationId: row.stationId };
  }
}
