import { Module } from '@nestjs/common';
import { TrustModule } from '#idtoken/trust';
import { DeviceRequestVerifier } from './device-signature/device-request.verifier.js';
import { EnrollmentRepository } from './enrollment.repository.js';
import { EnrollmentService } from './enrollment.service.js';
import { EnrollmentController } from './http/enrollment.controller.js';

@Module({
  imports: [TrustModule],
  controllers: [EnrollmentController],
  providers: [EnrollmentRepository, EnrollmentService, DeviceRequestVerifier],
  exports: [EnrollmentRepository, EnrollmentService, DeviceRequestVerifier],
})
export class EnrollmentModule {}
