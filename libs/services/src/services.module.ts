import { Module } from '@nestjs/common';
import { EnrollmentModule } from '#idtoken/enrollment';
import { TrustModule } from '#idtoken/trust';
import { AdminServicesController } from './http/admin-services.controller.js';
import { DeviceTrustController } from './http/device-trust.controller.js';
import { ServiceVdsController } from './http/service-vds.controller.js';
import { ActiveServices } from './registry/active-services.js';
import { ServiceRegistry } from './registry/service-registry.js';
import { ServiceSecrets } from './registry/service-secrets.js';
import { TrustBindings } from './trust/trust-bindings.js';
import { ServiceVdsIssuer } from './vds/service-vds.issuer.js';

/** Service registry, Service VDS and trust bindings (spec §5). */
@Module({
  imports: [TrustModule, EnrollmentModule],
  controllers: [AdminServicesController, ServiceVdsController, DeviceTrustController],
  providers: [ActiveServices, ServiceRegistry, ServiceSecrets, ServiceVdsIssuer, TrustBindings],
  exports: [ActiveServices, ServiceRegistry, TrustBindings, ServiceSecrets],
})
export class ServicesModule {}
