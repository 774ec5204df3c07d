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
import { ES256_TOKEN_KEYS } from './token-keys/es256.family.js';
import { unsafePublishAheadWarning } from './token-keys/propagation.js';
import { RS256_TOKEN_KEYS } from './token-keys/rs256.family.js';
import { Rs256TokenKeys } from './token-keys/rs256-token-keys.js';
import type { TokenKeyFamily } from './token-keys/token-key-family.js';
import { KeyMaterialTokenKeyRecords } from './token-keys/token-key.records.js';
import { TokenKeys, type TokenKeyOptions, type TokenKeySettings } from './token-keys/token-keys.js';

export interface KeysModuleOptions {
  /** Modules the certified-key adapter needs (e.g. TrustModule). */
  imports?: ModuleMetadata['imports'];
  /** Adapter for the certified keys published with x5c (spec §5: the Service-VDS key); none when absent. */
  certifiedKeys?: {
    inject: (InjectionToken | OptionalFactoryDependency)[];
    useFactory: (...dependencies: never[]) => CertifiedKeySource | Promise<CertifiedKeySource>;
  };
}

const TOKEN_KEY_DEPENDENCIES = [DataSource, SecretBox, AuditTrail, EphemeralStore, Clock, AppConfig];
type TokenKeyDependencies = [DataSource, SecretBox, AuditTrail, EphemeralStore, Clock, AppConfig];

/** What each token-key family is built from: its rows in key_material, the store, the clock, the settings. */
function tokenKeyParts(
  family: TokenKeyFamily,
  [dataSource, box, audit, store, clock, config]: TokenKeyDependencies,
  logger: Logger,
) {
  const records = new KeyMaterialTokenKeyRecords(dataSource, new KeyMaterialStore(dataSource, box), audit, family);
  const settings: TokenKeySettings = {
    publishAheadSeconds: config.tokenKeyPublishAheadSeconds,
    retiredGraceSeconds: config.tokenKeyRetiredGraceSeconds,
  };
  const options: TokenKeyOptions = { warn: (message) => logger.warn(message) };
  return [records, store, clock, settings, options] as const;
}

/** Token-signing keys, their rotation and the JWKS: the one key service for the direct API, OIDC and SAML. */
@Module({})
export class KeysModule implements OnModuleDestroy {
  constructor(
    private readonly tokenKeys: TokenKeys,
    private readonly rs256TokenKeys: Rs256TokenKeys,
  ) {}

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
          inject: TOKEN_KEY_DEPENDENCIES,
          useFactory: async (...dependencies: TokenKeyDependencies): Promise<TokenKeys> => {
            const logger = new Logger('TokenKeys');
            const warning = unsafePublishAheadWarning(dependencies[5].tokenKeyPublishAheadSeconds);
            if (warning) logger.warn(warning);
            const tokenKeys = new TokenKeys(...tokenKeyParts(ES256_TOKEN_KEYS, dependencies, logger));
            await tokenKeys.start();
            return tokenKeys;
          },
        },
        {
          provide: Rs256TokenKeys,
          inject: TOKEN_KEY_DEPENDENCIES,
          useFactory: async (...dependencies: TokenKeyDependencies): Promise<Rs256TokenKeys> => {
            const logger = new Logger('Rs256TokenKeys');
            const tokenKeys = new Rs256TokenKeys(...tokenKeyParts(RS256_TOKEN_KEYS, dependencies, logger));
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
          inject: [TokenKeys, Rs256TokenKeys, { token: CertifiedKeySource, optional: true }],
          // ES256 first: verifiers that take the first key they can use keep the keys they always had.
          useFactory: (tokenKeys: TokenKeys, rs256: Rs256TokenKeys, certified: CertifiedKeySource | undefined) =>
            new Jwks([tokenKeys, rs256], certified),
        },
      ],
      exports: [TokenKeys, Rs256TokenKeys, Jwks, Clock],
    };
  }

  /** Before the platform closes the ephemeral store (on application shutdown). */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.tokenKeys.stop(), this.rs256TokenKeys.stop()]);
  }
}
