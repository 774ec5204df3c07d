/** Roles of spec §9. A key has exactly one. */
export const ROLES = ['admin', 'operator', 'station'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling an /admin route, as established by their bearer key. */
export interface Principal {
  /** The api_keys row id, or `bootstrap` for IDTOKEN_BOOTSTRAP_ADMIN_KEY. */
  keyId: string;
  role: Role;
  name: string;
  stationId: string | null;
}

/** The audit `actor` for a principal, e.g. `admin:bootstrap`, `station:<stationId>`. */
export function actorOf(principal: Principal): string {
  return principal.role === 'station' && principal.stationId
    ? `station:${principal.stationId}`
    : `${principal.role}:${principal.keyId}`;
}
