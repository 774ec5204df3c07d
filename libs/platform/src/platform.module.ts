import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from './config/app-config.js';
import { SecretBox } from './crypto/secret-box.js';
import { dataSourceOptions, type PersistenceParts } from './database/data-source-options.js';
import { HealthController } from './health/health.controller.js';
import { RateLimiter } from './http/rate-limiter.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsRegistry } from './metrics/metrics.js';
import { EphemeralStore } from './store/ephemeral-store.js';
import { EphemeralStoreLifecycle, ephemeralStoreProvider } from './store/store.provider.js';

export interface PlatformOptions {
  config: AppConfig;
  persistence: PersistenceParts;
  /** An ephemeral store made by the caller (an embedding host, a test with its own clock); closed at shutdown. */
  ephemeralStore?: EphemeralStore;
}

/**
 * What every context stands on: validated config, the database (migrated at boot), the ephemeral
 * store, key sealing, health and metrics. Global, so contexts inject these without importing it.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot({ config, persistence, ephemeralStore }: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config, persistence),
          migrationsRun: true,
          logging: false,
          // Fail boot within seconds when the database cannot be reached, with the driver's message.
          retryAttempts: 2,
          retryDelay: 1_000,
        }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: AppConfig, useValue: config },
        {
          provide: SecretBox,
          useFactory: () => new SecretBox(config.masterSecret),
        },
        { provide: MetricsRegistry, useFactory: () => new MetricsRegistry() },
        ephemeralStore ? { provide: EphemeralStore, useValue: ephemeralStore } : ephemeralStoreProvider,
        EphemeralStoreLifecycle,
        RateLimiter,
      ],
      exports: [AppConfig, SecretBox, MetricsRegistry, EphemeralStore, RateLimiter],
    };
  }
}
