import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
import { DomainError } from '#idtoken/platform';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeyService } from './api-key.service.js';
import type { Role } from './roles.js';

/** Who asked, for the audit trail. */
export interface KeyChangeContext {
  actor: string;
  requestId?: string;
  ip?: string;
}

/** An API key as an admin sees it: never the key, never its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  stationId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function apiKeyView(row: ApiKeyEntity): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    stationId: row.stationId,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/**
 * The admin side of API keys (spec §9): create (shown once), list, revoke. Station keys are made with their station
 * (POST /admin/stations); here admins make `admin` and `operator` keys. Every change is audited.
 */
@Injectable()
export class ApiKeyAdmin {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ApiKeyService,
    private readonly audit: AuditTrail,
  ) {}

  async create(
    input: { name: string; role: 'admin' | 'operator' },
    context: KeyChangeContext,
  ): Promise<ApiKeyView & { apiKey: string }> {
    return this.dataSource.transaction(async (manager) => {
      const { id, apiKey } = await this.keys.create(input, manager);
      const row = await manager.getRepository(ApiKeyEntity).findOneByOrFail({ id });
      await this.audit.record(
        { type: 'api_key.created', ...context, subject: id, data: { name: input.name, role: input.role } },
        manager,
      );
      return { ...apiKeyView(row), apiKey };
    });
  }

  async list(): Promise<ApiKeyView[]> {
    const rows = await this.dataSource.getRepository(ApiKeyEntity).find({ order: { createdAt: 'ASC' } });
    return rows.map(apiKeyView);
  }

  /** Revokes at once (the next request with it is 401); revoking twice changes nothing. */
  async revoke(id: string, context: KeyChangeContext): Promise<ApiKeyView> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(ApiKeyEntity);
      const row = await repository.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw new DomainError('not_found', `No API key ${id}`);
      if (row.revokedAt) return apiKeyView(row);
      row.revokedAt = new Date();
      await repository.save(row);
      await this.audit.record(
        { type: 'api_key.revoked', ...context, subject: id, data: { name: row.name, role: row.role } },
        manager,
      );
      return apiKeyView(row);
    });
  }
}
