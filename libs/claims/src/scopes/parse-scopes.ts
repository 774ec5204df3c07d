import { ScopeError } from '../scope-error.js';
import { isScope, type Scope } from './scope-catalogue.js';

/**
 * A requested scope list, validated (spec §7: unknown scopes are errors, never ignored).
 *
 * Accepts the OAuth form, one space-separated string (RFC 6749 §3.3), or an array of tokens (JSON bodies).
 * Tokens are case-sensitive; runs of whitespace and empty tokens are skipped, so `""` and `[]` give `[]` (whether an
 * empty request falls back to a service's defaultScopes is the caller's rule). Duplicates keep their first place.
 * Throws ScopeError naming every unknown token, not just the first, so a relying party fixes its request once.
 */
export function parseScopes(input: string | readonly string[]): Scope[] {
  const tokens = typeof input === 'string' ? input.split(/\s+/) : input;
  const scopes = new Set<Scope>();
  const unknown = new Set<string>();
  for (const token of tokens) {
    if (token === '') continue;
    if (isScope(token)) scopes.add(token);
    else unknown.add(token);
  }
  if (unknown.size > 0) {
    const names = [...unknown];
    throw new ScopeError(`unknown scope${names.length > 1 ? 's' : ''}: ${names.join(' ')}`, names);
  }
  return [...scopes];
}
