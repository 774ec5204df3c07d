/** An RFC 9457 problem answer of the IDToken server (spec §8), with the protocol's stable `code`. */
export class IdTokenError extends Error {
  override readonly name = 'IdTokenError';
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** Seconds from the `Retry-After` header (e.g. on `429 rate_limited`), when the server sent one. */
  readonly retryAfter?: number;
  /** The whole problem document, for fields this SDK does not name. */
  readonly problem: Readonly<Record<string, unknown>>;

  constructor(fields: {
    status: number;
    code: string;
    title: string;
    detail: string;
    retryAfter?: number;
    problem?: Record<string, unknown>;
  }) {
    super(`${fields.status} ${fields.code}: ${fields.detail}`);
    this.status = fields.status;
    this.code = fields.code;
    this.title = fields.title;
    this.detail = fields.detail;
    if (fields.retryAfter !== undefined) this.retryAfter = fields.retryAfter;
    this.problem = fields.problem ?? {};
  }
}

/** The checks of an approval (spec §6.4) in the order they run; the first that fails names the error. */
export type SessionVerificationCode =
  'malformed_approval' | 'random_mismatch' | 'hash_mismatch' | 'invalid_jwt' | 'sid_mismatch';

/**
 * An `approved` answer that failed one of the relying party's checks: forged, replayed or meant for another
 * session. Never treat the user as logged in after it.
 */
export class SessionVerificationError extends Error {
  override readonly name = 'SessionVerificationError';

  constructor(
    readonly code: SessionVerificationCode,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}`, options);
  }
}
