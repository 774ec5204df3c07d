import { Module } from '@nestjs/common';
import { ServicesModule } from '#idtoken/services';
import { AdminAccountLinksController } from './http/admin-account-links.controller.js';
import { AccountLinks } from './links/account-links.js';

/** Account links: what enterprise relying parties need and a passport does not carry. */
@Module({
  imports: [ServicesModule],
  controllers: [AdminAccountLinksController],
  providers: [AccountLinks],
  exports: [AccountLinks],
})
export class AccountsModule {}
