import {
  Logger,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnModuleDestroy,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
import { AppConfig, EphemeralStore, SecretBox } from '#idtoken/platform';
import { Clock, SystemClock } from './clock.js';
import { AdminKeysController } from './http/admin-keys.controller.js';
import { JwksController } from './http/jwks.controller.js';
import { CertifiedKeySource } from './jwks/certified-key.source.js';
import { Jwks } from './jwks/jwks.js';
import { KeyMaterialStore } from './key-material.store.js';
import { KeyMaterialTokenKeyRecords } from './token-keys/token-key.records.js';
import { TokenKeys } from './token-keys/token-keys.js';

export interface KeysModuleOptions {
  /** Modules the certified-key adapter needs (e.g. TrustModule). */
  imports?: ModuleMetadata['imports'];
  /** Adapter for the certified keys published with x5c (spec §5: the Service-VDS key); none when absent. */
  certifiedKeys?: {
    inject: (InjectionToken | OptionalFactoryDependency)[];
    useFactory: (...dependencies: never[]) => CertifiedKeySource | Promise<CertifiedKeySource>;
  };
}

/** Token-signing keys, their rotation and the JWKS: the one key service for the direct API, OIDC and SAML. */
@Module({})
export class KeysModule implements OnModuleDestroy {
  constructor(private readonly tokenKeys: TokenKeys) {}

  static forRoot(options: KeysModuleOptions = {}): DynamicModule {
    return {
      module: KeysModule,
      // One key service per process, injected wherever tokens are signed (direct API, OIDC, SAML).
      global: true,
      imports: options.imports ?? [],
      controllers: [JwksController, AdminKeysController],
      providers: [
        { provide: Clock, useValue: new SystemClock() },
        {
          provide: TokenKeys,
          inject: [DataSource, SecretBox, AuditTrail, EphemeralStore, Clock, AppConfig],
          useFactory: async (
            dataSource: DataSource,
            box: SecretBox,
            audit: AuditTrail,
            store: EphemeralStore,
            clock: Clock,
            config: AppConfig,
          ): Promise<TokenKeys> => {
            const logger = new Logger('TokenKeys');
            const records = new KeyMaterialTokenKeyRecords(dataSource, new KeyMaterialStore(dataSource, box), audit);
            const tokenKeys = new TokenKeys(
              records,
              store,
              clock,
              {
                publishAheadSeconds: config.tokenKeyPublishAheadSeconds,
                retiredGraceSeconds: config.tokenKeyRetiredGraceSeconds,
              },
              { warn: (message) => logger.warn(message) },
            );
            await tokenKeys.start();
            return tokenKeys;
          },
        },
        ...(options.certifiedKeys
          ? [
              {
                provide: CertifiedKeySource,
                inject: options.certifiedKeys.inject,
                useFactory: options.certifiedKeys.useFactory,
              },
            ]
          : []),
        {
          provide: Jwks,
          inject: [TokenKeys, { token: CertifiedKeySource, optional: true }],
          useFactory: (tokenKeys: TokenKeys, certified: CertifiedKeySource | undefined) =>
            new Jwks(tokenKeys, certified),
        },
      ],
      exports: [TokenKeys, Jwks, Clock],
    };
  }

  /** Before the platform closes the ephemeral store (on application shutdown). */
  async onModuleDestroy(): Promise<void> {
    await this.tokenKeys.stop();
  }
}
