import { Module } from '@nestjs/common';
import { TrustModule } from '#idtoken/trust';
import { IssuanceController } from './http/issuance.controller.js';
import { AaChallenges } from './aa-challenges.js';
import { IssuanceService } from './issuance.service.js';
import { MasterListService } from './master-list/master-list.service.js';

@Module({
  imports: [TrustModule],
  controllers: [IssuanceController],
  providers: [IssuanceService, MasterListService, AaChallenges],
  exports: [IssuanceService, MasterListService],
})
export class IssuanceModule {}
