// The scope catalogue and claim computation of spec §7. Pure: no Nest, no I/O.
export { ScopeError } from './scope-error.js';

export { ATOMIC_SCOPES, type AtomicScope } from './scopes/atomic-scopes.js';
export { COMPOSITE_SCOPES, type CompositeScope } from './scopes/composite-scopes.js';
export {
  ALL_SCOPES,
  describeScope,
  isAtomicScope,
  isCompositeScope,
  isScope,
  type Scope,
} from './scopes/scope-catalogue.js';
export { parseScopes } from './scopes/parse-scopes.js';
export { scopeWording } from './scopes/scope-wording.js';
export { expandScopes, isSubset } from './scopes/expand-scopes.js';

export {
  AGE_RANGES,
  type AgeRange,
  type ClaimName,
  type ClaimsSubject,
  type IdentityClaims,
  type IdentityClaimValues,
  type TrustLevel,
} from './claims/identity-claims.js';
export { claimsFor } from './claims/claims-for.js';
export { EU_MEMBER_STATES, isEuCitizen } from './claims/eu-citizenship.js';
export { nameInitial } from './claims/name-initial.js';

export { OIDC_CLAIM_NAMES, oidcClaimName } from './mapping/oidc-claim-names.js';
