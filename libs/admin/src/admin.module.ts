import { Global, Module } from '@nestjs/common';
import { ApiKeyAdmin } from './api-keys/api-key.admin.js';
import { ApiKeyService } from './api-keys/api-key.service.js';
import { ApiKeysController } from './http/api-keys.controller.js';
import { AdminAuthGuard } from './http/admin-auth.guard.js';
import { AdminAuthFailures } from './http/admin-auth-failures.js';
import { StationsController } from './http/stations.controller.js';
import { AuditController } from './http/audit.controller.js';
import { StationsService } from './stations/stations.service.js';

/** API keys, roles and stations (spec §9). Contexts guard their admin routes with @AdminAuth from here. */
@Global()
@Module({
  controllers: [StationsController, ApiKeysController, AuditController],
  providers: [ApiKeyService, ApiKeyAdmin, AdminAuthFailures, AdminAuthGuard, StationsService],
  exports: [ApiKeyService, AdminAuthFailures, AdminAuthGuard, StationsService],
})
export class AdminModule {}
