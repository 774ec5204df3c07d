/**
 * Every machine-readable error code the REST API can answer with (spec §8), and its HTTP status.
 * A code added to the union without a status, a title and a place in each transport's mapper fails to compile.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_rows'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal_error'
  | 'service_unavailable'
  // Credentials (spec §2)
  | 'vds_malformed'
  | 'vds_schema'
  | 'vds_unknown_signer'
  | 'vds_untrusted_signer'
  | 'vds_bad_signature'
  | 'vds_expired'
  | 'vds_revoked'
  // Issuance (spec §3)
  | 'passive_auth_failed'
  | 'active_auth_failed'
  | 'liveness_failed'
  | 'station_not_authorized'
  // Enrollment and device-signed requests (spec §4, §5.1)
  | 'already_enrolled'
  | 'enrollment_not_found'
  | 'enrollment_revoked'
  | 'stale_timestamp'
  | 'invalid_signature'
  | 'replayed_request'
  // Scopes (spec §6.1, §7)
  | 'invalid_scope'
  // Sessions (spec §6.1, §6.2)
  | 'service_unauthenticated'
  | 'service_not_trusted'
  | 'session_not_found'
  | 'token_mismatch'
  | 'invalid_otp'
  | 'scope_inflation'
  | 'too_many_attempts';

export const ERROR_STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_rows: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
  vds_malformed: 400,
  vds_schema: 422,
  vds_unknown_signer: 422,
  vds_untrusted_signer: 422,
  vds_bad_signature: 422,
  vds_expired: 422,
  vds_revoked: 422,
  passive_auth_failed: 422,
  active_auth_failed: 422,
  liveness_failed: 422,
  station_not_authorized: 403,
  already_enrolled: 409,
  enrollment_not_found: 404,
  enrollment_revoked: 403,
  stale_timestamp: 400,
  invalid_signature: 401,
  replayed_request: 409,
  invalid_scope: 422,
  service_unauthenticated: 401,
  service_not_trusted: 403,
  session_not_found: 404,
  token_mismatch: 403,
  invalid_otp: 401,
  scope_inflation: 422,
  too_many_attempts: 429,
};

export const ERROR_TITLE: Record<ErrorCode, string> = {
  invalid_request: 'The request is invalid',
  invalid_rows: 'Some rows cannot be stored; nothing was stored',
  unauthorized: 'Authentication is required',
  forbidden: 'This action is not allowed',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'The request conflicts with the current state',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many requests',
  internal_error: 'Internal server error',
  service_unavailable: 'Service unavailable',
  vds_malformed: 'The credential cannot be decoded',
  vds_schema: 'The credential does not match its manifest',
  vds_unknown_signer: 'The credential was signed by an unknown certificate',
  vds_untrusted_signer: 'The credential signer is not trusted',
  vds_bad_signature: 'The credential signature is invalid',
  vds_expired: 'The credential has expired',
  vds_revoked: 'The credential has been revoked',
  passive_auth_failed: 'Document passive authentication failed',
  active_auth_failed: 'Document active authentication failed',
  liveness_failed: 'Face liveness or match check failed',
  station_not_authorized: 'This station may not issue credentials',
  already_enrolled: 'This tokenId already has an active enrollment',
  enrollment_not_found: 'No enrollment for this tokenId',
  enrollment_revoked: 'This enrollment has been revoked',
  stale_timestamp: 'The request timestamp is outside the accepted window',
  invalid_signature: 'The device signature is invalid',
  replayed_request: 'This signed request was already accepted',
  invalid_scope: 'Unknown scope, or a scope this service may not request',
  service_unauthenticated: 'The service did not authenticate',
  service_not_trusted: 'The holder does not trust this service',
  session_not_found: 'No live session with this sessionId',
  token_mismatch: 'The session belongs to another tokenId',
  invalid_otp: 'The one-time code is wrong',
  scope_inflation: 'The granted scopes exceed what the session requested',
  too_many_attempts: 'Too many failed attempts',
};

const GENERIC_CODES: ErrorCode[] = [
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'internal_error',
  'service_unavailable',
];

/** The generic code for an HTTP status when no domain error says better (never a protocol-specific code). */
export function codeForStatus(status: number): ErrorCode {
  const match = GENERIC_CODES.find((code) => ERROR_STATUS[code] === status);
  if (match) return match;
  return status >= 500 ? 'internal_error' : 'invalid_request';
}
