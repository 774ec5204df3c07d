import type { Grant } from 'oidc-provider';
import type { SessionApproval } from '#idtoken/sessions';
import { oidcGrant, oidcRejections } from './oidc-scopes.js';

/**
 * Writes what the phone approved into an oidc-provider Grant (docs/decisions.md "OIDC"): the OIDC scopes of which
 * something was granted, the claims granted, and every other holder claim asked for rejected — for the code flow's
 * interaction and CIBA alike.
 */
export function grantApproval(
  grant: Grant,
  requested: { scopes: readonly string[]; claims: readonly string[] },
  approval: SessionApproval,
  options: { emailLinked: boolean },
): void {
  const granted = oidcGrant(requested.scopes, approval.grantedScopes, options);
  grant.addOIDCScope(granted.scopes.join(' '));
  if (granted.claims.length > 0) grant.addOIDCClaims(granted.claims);
  const rejected = oidcRejections(requested.scopes, requested.claims, granted);
  if (rejected.scopes.length > 0) grant.rejectOIDCScope(rejected.scopes.join(' '));
  if (rejected.claims.length > 0) grant.rejectOIDCClaims(rejected.claims);
}
