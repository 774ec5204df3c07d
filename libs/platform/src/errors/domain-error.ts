import type { ErrorCode } from './error-codes.js';

/**
 * What domain code throws: a spec error code and a human explanation. Services never throw HTTP
 * exceptions; each transport (REST problem+json, OAuth, SAML, socket) maps the code once.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    /** Extra members for the problem document (RFC 9457 §3.2), e.g. `{ check: 'dg1_hash' }`. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(`${code}: ${detail}`);
  }
}
