import euMemberStates from '../data/eu-member-states.json' with { type: 'json' };
import { EU_MEMBER_STATES, isEuCitizen } from './eu-citizenship.js';

describe('EU member states data', () => {
  it('holds 27 unique ISO 3166-1 alpha-3 codes', () => {
    const codes = euMemberStates.memberStates.map((state) => state.alpha3);
    expect(codes).toHaveLength(27);
    expect(new Set(codes).size).toBe(27);
    for (const code of codes) expect(code).toMatch(/^[A-Z]{3}$/);
    expect(EU_MEMBER_STATES.size).toBe(27);
  });

  it('says where and when it was taken from', () => {
    expect(new URL(euMemberStates.source).hostname).toBe('european-union.europa.eu');
    expect(euMemberStates.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('isEuCitizen (spec §7)', () => {
  it.each(['DEU', 'FRA', 'IRL', 'HRV', 'CYP', 'MLT', 'SWE', 'BGR', 'ROU'])('is true for %s', (nationality) => {
    expect(isEuCitizen(nationality)).toBe(true);
  });

  // GBR left in 2020; NOR, CHE, ISL, LIE are EEA/EFTA, not EU; EUE is the EU laissez-passer, not a nationality.
  it.each(['GBR', 'NOR', 'CHE', 'ISL', 'LIE', 'TUR', 'USA', 'UKR', 'EUE', 'XXA', 'XXX'])(
    'is false for %s',
    (nationality) => {
      expect(isEuCitizen(nationality)).toBe(false);
    },
  );

  it('does not accept alpha-2, ICAO D or lower-case forms', () => {
    for (const nationality of ['DE', 'D', 'deu', ' DEU', '']) expect(isEuCitizen(nationality)).toBe(false);
  });
});
