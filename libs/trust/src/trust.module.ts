import { Module, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '#idtoken/platform';
import { AdminTrustController } from './http/admin-trust.controller.js';
import { TrustController } from './http/trust.controller.js';
import { TrustListPublisher } from './lists/trust-list.publisher.js';
import { TrustStore } from './trust.store.js';
import { trustStoreProvider } from './trust-store.provider.js';

/** The trust store of spec §2 and its published lists. Other contexts import this module for TrustStore. */
@Module({
  controllers: [TrustController, AdminTrustController],
  providers: [
    trustStoreProvider,
    {
      provide: TrustListPublisher,
      inject: [TrustStore, AppConfig],
      useFactory: (trust: TrustStore, config: AppConfig) => new TrustListPublisher(trust, config.issuerUrl),
    },
  ],
  exports: [TrustStore],
})
export class TrustModule implements OnModuleDestroy {
  constructor(private readonly trust: TrustStore) {}

  /** Before the platform closes the ephemeral store (on application shutdown). */
  async onModuleDestroy(): Promise<void> {
    await this.trust.close();
  }
}
