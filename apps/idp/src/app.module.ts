import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from '#idtoken/admin';
import { AuditModule } from '#idtoken/audit';
import { PlatformModule, type AppConfig } from '#idtoken/platform';
import { persistence } from './persistence.js';

/** Wiring only: each bounded context contributes its module here. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ config, persistence }), AuditModule, AdminModule],
    };
  }
}
