import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
import { DomainError } from '#idtoken/platform';
import { ApiKeyService } from '../api-keys/api-key.service.js';
import { StationEntity } from './station.entity.js';

export interface CreatedStation {
  stationId: string;
  name: string;
  /** The station's bearer key (role `station`), shown once. */
  apiKey: string;
  createdAt: Date;
}

@Injectable()
export class StationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ApiKeyService,
    private readonly audit: AuditTrail,
  ) {}

  /** Registers a station and its key in one transaction, with the audit event. */
  async create(name: string, context: { actor: string; requestId?: string; ip?: string }): Promise<CreatedStation> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(StationEntity);
      const station = await repository.save(repository.create({ name }));
      const key = await this.keys.create(
        { name: `station ${name}`, role: 'station', stationId: station.stationId },
        manager,
      );
      await this.audit.record(
        {
          type: 'station.created',
          actor: context.actor,
          subject: station.stationId,
          requestId: context.requestId,
          ip: context.ip,
          data: { name, apiKeyId: key.id },
        },
        manager,
      );
      return { stationId: station.stationId, name, apiKey: key.apiKey, createdAt: station.createdAt };
    });
  }

  /** Every station, oldest first (never a key). */
  list(): Promise<StationEntity[]> {
    return this.dataSource.getRepository(StationEntity).find({ order: { createdAt: 'ASC' } });
  }

  /**
   * Disables a station (a stolen or retired desk): it can no longer issue, and its API keys are revoked in the same
   * transaction, so its very next request is refused. Audited; disabling twice changes nothing. `404` if unknown.
   */
  async disable(
    stationId: string,
    context: { actor: string; requestId?: string; ip?: string },
  ): Promise<StationEntity> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(StationEntity);
      const station = UUID.test(stationId)
        ? await repository.findOne({ where: { stationId }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!station) throw new DomainError('not_found', 'No such station');
      if (station.disabledAt) return station;
      station.disabledAt = new Date();
      await repository.save(station);
      const revokedKeys = await this.keys.revokeStationKeys(stationId, manager);
      await this.audit.record(
        {
          type: 'station.disabled',
          actor: context.actor,
          subject: stationId,
          requestId: context.requestId,
          ip: context.ip,
          data: { name: station.name, revokedKeys },
        },
        manager,
      );
      return station;
    });
  }

  /** True when the station exists and is not disabled. */
  async isActive(stationId: string): Promise<boolean> {
    if (!UUID.test(stationId)) return false;
    const station = await this.dataSource.getRepository(StationEntity).findOne({ where: { stationId } });
    return station !== null && station.disabledAt === null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
