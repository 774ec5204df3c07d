import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../errors/domain-error.js';
import { EphemeralStore } from '../store/ephemeral-store.js';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly store: EphemeralStore,
    private readonly config: AppConfig,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process serves HTTP' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: the database and the ephemeral store answer (503 problem+json otherwise)',
  })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 1_500 }),
        () => this.storeCheck(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {}).join(', ');
      throw new DomainError('service_unavailable', `Not ready: ${down || 'a dependency'} is not answering`, {
        checks: result.details,
      });
    }
  }

  private async storeCheck() {
    const check = this.indicators.check('ephemeralStore');
    const kind = this.config.redisUrl ? 'redis' : 'in-process';
    try {
      await this.store.ping();
      return check.up({ kind });
    } catch (error) {
      return check.down({
        kind,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
