import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
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

  /** True when the station exists and is not disabled. */
  async isActive(stationId: string): Promise<boolean> {
    const station = await this.dataSource.getRepository(StationEntity).findOne({ where: { stationId } });
    return station !== null && station.disabledAt === null;
  }
}
