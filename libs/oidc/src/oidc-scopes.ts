import {
  ALL_SCOPES,
  ATOMIC_SCOPES,
  expandScopes,
  isScope,
  oidcClaimName,
  type AtomicScope,
  type ClaimName,
} from '#idtoken/claims';

/**
 * The OIDC facade's scopes and claims (docs/oidc.md has the table). Three kinds of scope:
 *  - protocol scopes: `openid`, `offline_access` (refresh tokens) — no claims of ours;
 *  - `profile`: what OIDC clients ask for by default, answered from the document: given_name, family_name, birthdate;
 *  - `email`: from an account link an admin made, never from the document;
 *  - every `identity:*` scope of spec §7, atomic and composite, releasing its claims under their OIDC names.
 * Whatever a client asks, the phone is asked for the atomic `identity:*` scopes behind it, and only what the holder
 * grants there reaches the client.
 */
export const PROFILE_IDENTITY_SCOPES: readonly AtomicScope[] = ['identity:name', 'identity:date_of_birth'];

export const OIDC_SCOPES: readonly string[] = ['openid', 'offline_access', 'profile', 'email', ...ALL_SCOPES];

/** The identity scopes the phone is asked for, for one OIDC scope (none for protocol scopes and email). */
export function identityScopesOf(oidcScope: string): AtomicScope[] {
  if (oidcScope === 'profile') return [...PROFILE_IDENTITY_SCOPES];
  return isScope(oidcScope) ? expandScopes([oidcScope]) : [];
}

/**
 * The atomic identity scopes the phone is asked for: those behind the requested OIDC scopes, and those releasing a
 * claim named in the `claims` request parameter (OIDC Core §5.5). Sorted, without duplicates.
 */
export function identityScopesFor(oidcScopes: Iterable<string>, requestedClaims: Iterable<string> = []): AtomicScope[] {
  const named = new Set(requestedClaims);
  const byClaim = (Object.keys(ATOMIC_SCOPES) as AtomicScope[]).filter((scope) =>
    oidcClaimsOf(scope).some((claim) => named.has(claim)),
  );
  return expandScopes([...[...oidcScopes].flatMap(identityScopesOf), ...byClaim]);
}

/** The OIDC claim names an atomic identity scope releases. */
export function oidcClaimsOf(scope: AtomicScope): string[] {
  return (ATOMIC_SCOPES[scope].claims as readonly ClaimName[]).map(oidcClaimName);
}

/** Every claim that carries holder data (identity claims and the linked email), as opposed to sign-in facts. */
const HOLDER_CLAIMS = new Set<string>([
  ...(Object.keys(ATOMIC_SCOPES) as AtomicScope[]).flatMap(oidcClaimsOf),
  'email',
  'email_verified',
]);

/** oidc-provider's `claims` setting: each scope and the claims it releases (a constant: built once). */
export const OIDC_CLAIMS_CONFIGURATION: Readonly<Record<string, string[] | null>> = buildClaimsConfiguration();

/** Every claim name the configuration can release. */
export const OIDC_CLAIM_NAMES_RELEASED: ReadonlySet<string> = new Set(
  Object.values(OIDC_CLAIMS_CONFIGURATION).flatMap((names) => names ?? []),
);

const EMAIL_CLAIMS = ['email', 'email_verified'];

/**
 * Whether oidc-provider's claims filter could release the linked email for this request: a scope whose claims
 * include it, or the `claims` parameter naming it, and the holder did not reject it (otherwise it is filtered out,
 * so there is no need to look the account link up).
 */
export function emailReleasable(
  scope: string | undefined,
  claims: Record<string, unknown> | null | undefined,
  rejected: readonly string[],
): boolean {
  const asked = new Set([
    ...(scope ?? '')
      .split(' ')
      .flatMap((name) =>
        Object.hasOwn(OIDC_CLAIMS_CONFIGURATION, name) ? (OIDC_CLAIMS_CONFIGURATION[name] ?? []) : [],
      ),
    ...Object.keys(claims ?? {}),
  ]);
  return EMAIL_CLAIMS.some((name) => asked.has(name) && !rejected.includes(name));
}

export function oidcClaimsConfiguration(): Record<string, string[] | null> {
  return { ...OIDC_CLAIMS_CONFIGURATION };
}

function buildClaimsConfiguration(): Record<string, string[] | null> {
  // `null`: always present, never gated by a scope (oidc-provider's own defaults for these).
  const config: Record<string, string[] | null> = {
    acr: null,
    amr: null,
    auth_time: null,
    sid: null,
    iss: null,
    // spec §7: every token says how the holder was authenticated.
    openid: ['sub', 'acr', 'amr', 'auth_time'],
    email: ['email', 'email_verified'],
  };
  for (const scope of ['profile', ...ALL_SCOPES]) {
    config[scope] = [...new Set(identityScopesOf(scope).flatMap(oidcClaimsOf))];
  }
  return config;
}

/**
 * What an approval grants in OIDC terms: each requested OIDC scope of which the holder granted at least one identity
 * scope (protocol scopes always, `email` when an address is linked), and the claims of every granted identity scope.
 * The claims of a scope that were not granted are rejected in the Grant (oidcRejections), so a holder who granted the
 * name but not the birth date for `profile` releases given_name and family_name, and never birthdate.
 */
export function oidcGrant(
  requested: Iterable<string>,
  granted: readonly AtomicScope[],
  options: { emailLinked: boolean },
): { scopes: string[]; claims: string[] } {
  const have = new Set<string>(granted);
  const scopes = [...requested].filter((scope) => {
    if (scope === 'openid' || scope === 'offline_access') return true;
    if (scope === 'email') return options.emailLinked;
    const needed = identityScopesOf(scope);
    return needed.some((atomic) => have.has(atomic));
  });
  const claims = [...new Set(granted.flatMap(oidcClaimsOf))];
  if (options.emailLinked && scopes.includes('email')) claims.push('email', 'email_verified');
  return { scopes, claims };
}

/**
 * What the holder did not grant, to be recorded as rejected in the Grant (so oidc-provider does not ask for consent
 * again): the requested scopes left out, and every claim they or the `claims` parameter name that was not granted.
 */
export function oidcRejections(
  requestedScopes: readonly string[],
  requestedClaims: readonly string[],
  grant: { scopes: string[]; claims: string[] },
): { scopes: string[]; claims: string[] } {
  const config = OIDC_CLAIMS_CONFIGURATION;
  const scopes = requestedScopes.filter((scope) => !grant.scopes.includes(scope));
  const named = new Set([...requestedScopes.flatMap((scope) => config[scope] ?? []), ...requestedClaims]);
  // Only holder data can be rejected; sub, acr, amr and auth_time describe the sign-in and always go out.
  const claims = [...named].filter((claim) => HOLDER_CLAIMS.has(claim) && !grant.claims.includes(claim));
  return { scopes, claims };
}
