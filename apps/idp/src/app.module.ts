import { Module, type DynamicModule } from '@nestjs/common';
import { AccountsModule } from '#idtoken/accounts';
import { AdminModule } from '#idtoken/admin';
import { AuditModule } from '#idtoken/audit';
import { EnrollmentModule } from '#idtoken/enrollment';
import { IssuanceModule } from '#idtoken/issuance';
import { KeysModule } from '#idtoken/keys';
import { PlatformModule, type AppConfig, type EphemeralStore } from '#idtoken/platform';
import { ServicesModule } from '#idtoken/services';
import { OidcModule } from '#idtoken/oidc';
import { SamlModule } from '#idtoken/saml';
import { SessionsModule } from '#idtoken/sessions';
import { TrustModule, TrustStore } from '#idtoken/trust';
import { SERVICE_MANIFEST } from '#idtoken/vds';
import { persistence } from './persistence.js';

/** Wiring only: each bounded context contributes its module here. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: { ephemeralStore?: EphemeralStore } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ config, persistence, ephemeralStore: options.ephemeralStore }),
        AuditModule,
        AdminModule,
        TrustModule,
        KeysModule.forRoot({
          // spec §5: the JWKS also publishes the Service-VDS key with its certificate chain (x5c).
          imports: [TrustModule],
          certifiedKeys: {
            inject: [TrustStore],
            useFactory: (trust: TrustStore) => ({
              certifiedKeys: async () => [
                { name: 'service-vds', chainDer: (await trust.signerFor(SERVICE_MANIFEST)).chainDer },
              ],
            }),
          },
        }),
        IssuanceModule,
        EnrollmentModule,
        ServicesModule,
        SessionsModule,
        OidcModule,
        SamlModule,
        AccountsModule,
      ],
    };
  }
}
