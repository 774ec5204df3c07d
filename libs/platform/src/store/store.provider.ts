import { Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { EphemeralStore } from './ephemeral-store.js';
import { InProcessStore } from './in-process.store.js';
import { RedisStore } from './redis.store.js';

export const ephemeralStoreProvider: Provider = {
  provide: EphemeralStore,
  inject: [AppConfig],
  useFactory: (config: AppConfig): EphemeralStore =>
    config.redisUrl ? new RedisStore(config.redisUrl, { prefix: config.redisPrefix }) : new InProcessStore(),
};

/** Closes the store after the HTTP server has stopped taking requests. */
@Injectable()
export class EphemeralStoreLifecycle implements OnApplicationShutdown {
  constructor(private readonly store: EphemeralStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
