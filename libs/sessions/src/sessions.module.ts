import { Module } from '@nestjs/common';
import { EnrollmentModule } from '#idtoken/enrollment';
import { ServicesModule } from '#idtoken/services';
import { TrustModule } from '#idtoken/trust';
import { SessionGateway } from './channels/session.gateway.js';
import { SessionOrigins } from './channels/session-origins.js';
import { AuthController } from './http/auth.controller.js';
import { InitiateFlow } from './initiate/initiate.flow.js';
import { SessionOutcomes } from './session-outcomes.js';
import { SessionService } from './session.service.js';
import { SessionStore } from './session.store.js';
import { SessionTokenIssuer } from './token/session-token.issuer.js';
import { VerifyFlow } from './verify/verify.flow.js';

/**
 * X.1280 sessions (spec §6): initiate, verify, deny, the polling fallback and the browser channel (socket.io `/session`). TokenKeys comes from KeysModule,
 * imported by the application; AppConfig, EphemeralStore, RateLimiter and AuditTrail are global.
 */
@Module({
  imports: [TrustModule, EnrollmentModule, ServicesModule],
  controllers: [AuthController],
  providers: [
    SessionStore,
    InitiateFlow,
    VerifyFlow,
    SessionOutcomes,
    SessionTokenIssuer,
    SessionService,
    SessionOrigins,
    SessionGateway,
  ],
  exports: [SessionService, SessionStore, SessionOrigins],
})
export class SessionsModule {}
