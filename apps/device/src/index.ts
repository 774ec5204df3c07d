export { Device, FaceMismatchError, type DeviceOptions, type EnrollResult, type Platform } from './device.js';
export { TemplateEqualityFaceVerifier, type FaceVerifier } from './face-verifier.js';
export { IdTokenClient, ServerError } from './idtoken-client.js';
export { FileKeystore, describePublicKey, type DeviceState } from './keystore.js';
export {
  PLACEHOLDER_PORTRAIT_WEBP,
  Station,
  type ChipRead,
  type IssuanceRequest,
  type IssuedCredential,
  type LiveFace,
} from './station.js';
export { TslTrust } from './tsl-trust.js';
export { scanQrPng, scanQrPngFile } from './qr.js';
export {
  DeviceLogin,
  QrRefusedError,
  loginRequestOfPush,
  type AuthRequestMessage,
  type InboxListener,
  type LoginRequest,
} from './login.js';
