import euMemberStates from '../data/eu-member-states.json' with { type: 'json' };

/**
 * spec §7 `isEuCitizen`. The member list is data (`data/eu-member-states.json`, with its source and date) so that
 * a change in membership is a reviewed data edit, not a code change.
 */
export const EU_MEMBER_STATES: ReadonlySet<string> = new Set(euMemberStates.memberStates.map((state) => state.alpha3));

/**
 * Decision: the one nationality the document states (spec §2, ISO 3166-1 alpha-3, upper-case) is looked up as it
 * is — no trimming, no case folding, no alpha-2 — so that a malformed value is never counted as EU. ICAO's
 * non-state codes (`EUE` for an EU laissez-passer, `XXA` stateless…) are not member states, hence `false`.
 */
export function isEuCitizen(nationality: string): boolean {
  return EU_MEMBER_STATES.has(nationality);
}
