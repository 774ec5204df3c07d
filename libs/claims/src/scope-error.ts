/**
 * What this library throws for a scope request it refuses (spec §7: unknown scopes are errors, never ignored).
 * `invalid_scope` is the OAuth 2.0 error code (RFC 6749 §4.1.2.1, §5.2), so the OIDC facade passes it through
 * unchanged; like the platform's DomainError it carries a stable `code` for each transport to map once.
 */
export class ScopeError extends Error {
  override readonly name = 'ScopeError';
  readonly code = 'invalid_scope';

  constructor(
    readonly detail: string,
    /** The offending scope tokens, each once, in the order they were requested. */
    readonly unknownScopes: readonly string[] = [],
  ) {
    super(`invalid_scope: ${detail}`);
  }
}
