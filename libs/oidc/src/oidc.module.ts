import { Module } from '@nestjs/common';
import { AccountsModule } from '#idtoken/accounts';
import { EnrollmentModule } from '#idtoken/enrollment';
import { ServicesModule } from '#idtoken/services';
import { SessionsModule } from '#idtoken/sessions';
import { InteractionController } from './interaction/interaction.controller.js';
import { OidcProviderHost } from './oidc-provider.host.js';
import { OidcRevocations } from './oidc-revocations.js';
import { OidcSweeper } from './oidc-sweeper.js';
import { OidcCiba } from './ciba/oidc-ciba.js';

/**
 * The OIDC facade (docs/oidc.md): oidc-provider in front of the X.1280 login. Its own endpoints are handed raw
 * requests by a Fastify hook (mountOidc) before any body parsing; the interaction pages are Nest routes.
 */
@Module({
  imports: [EnrollmentModule, ServicesModule, SessionsModule, AccountsModule],
  controllers: [InteractionController],
  providers: [OidcProviderHost, OidcRevocations, OidcSweeper, OidcCiba],
  exports: [OidcProviderHost, OidcRevocations],
})
export class OidcModule {}
