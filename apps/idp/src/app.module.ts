import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from '#idtoken/admin';
import { AuditModule } from '#idtoken/audit';
import { EnrollmentModule } from '#idtoken/enrollment';
import { IssuanceModule } from '#idtoken/issuance';
import { PlatformModule, type AppConfig } from '#idtoken/platform';
import { TrustModule } from '#idtoken/trust';
import { persistence } from './persistence.js';

/** Wiring only: each bounded context contributes its module here. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ config, persistence }),
        AuditModule,
        AdminModule,
        TrustModule,
        IssuanceModule,
        EnrollmentModule,
      ],
    };
  }
}
