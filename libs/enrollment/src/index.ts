export { DerSignatureError, parseStrictDerSignature, verifyDeviceSignature } from './device-signature/der-signature.js';
export { parseDevicePublicKey, type DeviceKey } from './device-signature/device-key.js';
export { DeviceRequestVerifier, type DeviceEnvelope } from './device-signature/device-request.verifier.js';
export {
  DEVICE_ACTIONS,
  deviceRequestMessage,
  enrollMessage,
  type DeviceAction,
} from './device-signature/signed-request.js';
export { TokenIdSchema } from './token-id.js';
export { TIMESTAMP_WINDOW_SECONDS, assertFreshTimestamp } from './device-signature/timestamp-window.js';
export {
  EnrollmentEntity,
  REVOCATION_REASONS,
  type EnrollmentClaims,
  type RevocationReason,
} from './enrollment.entity.js';
export { EnrollmentModule } from './enrollment.module.js';
export { EnrollmentRepository } from './enrollment.repository.js';
export { ENROLLMENT_REVOKED_CHANNEL, EnrollmentService, type EnrollInput } from './enrollment.service.js';
export { devicePublicKey } from './device-signature/device-key-cache.js';
