import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sweepExpiredOidcModels } from './adapter/typeorm-oidc.adapter.js';

const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Deletes OIDC models (codes, tokens, sessions, interactions, grants) an hour after they expired; the adapter
 * already ignores expired rows, this bounds the table. Every node sweeps; a DELETE twice costs nothing.
 */
@Injectable()
export class OidcSweeper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OidcSweeper.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async sweep(now: Date = new Date()): Promise<number> {
    try {
      return await sweepExpiredOidcModels(this.dataSource, now);
    } catch (error) {
      this.logger.warn(`OIDC model sweep failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
