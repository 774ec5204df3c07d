import { Module } from '@nestjs/common';
import { EnrollmentModule } from '#idtoken/enrollment';
import { ServicesModule } from '#idtoken/services';
import { PushModule } from '#idtoken/push';
import { TrustModule } from '#idtoken/trust';
import { DeviceGateway } from './device/device.gateway.js';
import { DeviceInboxController } from './device/device-inbox.controller.js';
import { PendingRequests } from './device/pending-requests.js';
import { SessionLifecycle } from './session-lifecycle.js';
import { SessionMetrics } from './session-metrics.js';
import { SessionGateway } from './channels/session.gateway.js';
import { SessionOrigins } from './channels/session-origins.js';
import { AuthController } from './http/auth.controller.js';
import { LiveSessionsController } from './admin/live-sessions.controller.js';
import { LockoutsController } from './admin/lockouts.controller.js';
import { ClientAssertions } from './initiate/client-assertion.js';
import { InitiateFlow } from './initiate/initiate.flow.js';
import { SessionOutcomes } from './session-outcomes.js';
import { SessionService } from './session.service.js';
import { SessionStore } from './session.store.js';
import { SessionTokenIssuer } from './token/session-token.issuer.js';
import { VerifyFlow } from './verify/verify.flow.js';

/**
 * X.1280 sessions (spec §6): initiate, verify, deny, the polling fallback, the browser channel (socket.io `/session`),
 * push to the device (spec §6.3) with its inbox (`GET /devices/inbox`, socket.io `/device`), expiry and revocation. TokenKeys comes from KeysModule,
 * imported by the application; AppConfig, EphemeralStore, RateLimiter and AuditTrail are global.
 */
@Module({
  imports: [TrustModule, EnrollmentModule, ServicesModule, PushModule],
  controllers: [AuthController, DeviceInboxController, LockoutsController, LiveSessionsController],
  providers: [
    SessionStore,
    SessionMetrics,
    InitiateFlow,
    ClientAssertions,
    VerifyFlow,
    SessionOutcomes,
    SessionTokenIssuer,
    SessionService,
    SessionOrigins,
    SessionGateway,
    SessionLifecycle,
    PendingRequests,
    DeviceGateway,
  ],
  exports: [SessionService, SessionStore, SessionOrigins, SessionLifecycle],
})
export class SessionsModule {}
