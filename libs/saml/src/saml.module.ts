import { Module } from '@nestjs/common';
import { AccountsModule } from '#idtoken/accounts';
import { EnrollmentModule } from '#idtoken/enrollment';
import { ServicesModule } from '#idtoken/services';
import { SessionsModule } from '#idtoken/sessions';
import { AdminSamlController } from './http/admin-saml.controller.js';
import { SamlInteractionController } from './http/saml-interaction.controller.js';
import { SamlSsoController } from './http/saml-sso.controller.js';
import { SamlIdp } from './idp/saml-idp.js';
import { SamlLogout } from './slo/saml-logout.service.js';
import { SamlLogin } from './sso/saml-login.service.js';
import { SamlRequestIntake } from './sso/saml-request-intake.js';

/**
 * The SAML 2.0 IdP facade (docs/saml.md): samlify in front of the X.1280 login, behind our own hardening of every
 * inbound message; SPs attach to services (`services.saml`); signing keys are libs/keys' RS256 family.
 */
@Module({
  imports: [EnrollmentModule, ServicesModule, SessionsModule, AccountsModule],
  controllers: [SamlSsoController, SamlInteractionController, AdminSamlController],
  providers: [SamlIdp, SamlRequestIntake, SamlLogin, SamlLogout],
})
export class SamlModule {}
