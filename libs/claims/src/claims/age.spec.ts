import { ageRangeOf, completedYears, isAgeAtLeast, minimumAge } from './age.js';

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

describe('age over N (spec §7: the birthday itself counts)', () => {
  it('is 18 on the 18th birthday', () => {
    expect(isAgeAtLeast('2008-06-15', 18, day('2026-06-15'))).toBe(true);
  });

  it('is not 18 the day before', () => {
    expect(isAgeAtLeast('2008-06-15', 18, day('2026-06-14'))).toBe(false);
  });

  it('changes at midnight UTC', () => {
    expect(isAgeAtLeast('2008-06-15', 18, new Date('2026-06-14T23:59:59.999Z'))).toBe(false);
    expect(isAgeAtLeast('2008-06-15', 18, new Date('2026-06-15T00:00:00.000Z'))).toBe(true);
  });

  it.each([
    [21, '2005-01-01', '2026-01-01', true],
    [21, '2005-01-01', '2025-12-31', false],
    [25, '2001-12-31', '2026-12-31', true],
    [25, '2001-12-31', '2026-12-30', false],
  ])('age over %i, born %s, on %s: %s', (years, dob, on, expected) => {
    expect(isAgeAtLeast(dob, years, day(on))).toBe(expected);
  });

  describe('born on 29 February', () => {
    it('is not yet 18 on 28 February of a common year', () => {
      expect(isAgeAtLeast('2008-02-29', 18, day('2026-02-28'))).toBe(false);
    });

    it('is 18 on 1 March of a common year', () => {
      expect(isAgeAtLeast('2008-02-29', 18, day('2026-03-01'))).toBe(true);
    });

    it('turns a year older on 29 February itself in a leap year', () => {
      // 18, 21 and 25 are not multiples of 4, so those birthdays always fall in a common year; age 20 does not.
      expect(completedYears({ year: 2008, month: 2, day: 29 }, { year: 2028, month: 2, day: 28 })).toBe(19);
      expect(completedYears({ year: 2008, month: 2, day: 29 }, { year: 2028, month: 2, day: 29 })).toBe(20);
    });

    it('treats 2100, a common year, like any other common year', () => {
      expect(completedYears({ year: 2096, month: 2, day: 29 }, { year: 2100, month: 2, day: 28 })).toBe(3);
      expect(completedYears({ year: 2096, month: 2, day: 29 }, { year: 2100, month: 3, day: 1 })).toBe(4);
    });
  });

  describe('with an unknown day (conservative: the last day of the month decides)', () => {
    it('is 18 only from the 18th anniversary of the month’s last day', () => {
      expect(isAgeAtLeast('2008-07-XX', 18, day('2026-07-30'))).toBe(false);
      expect(isAgeAtLeast('2008-07-XX', 18, day('2026-07-31'))).toBe(true);
    });

    it('takes 29 February as the last day of February in a leap year of birth', () => {
      expect(isAgeAtLeast('2008-02-XX', 18, day('2026-02-28'))).toBe(false);
      expect(isAgeAtLeast('2008-02-XX', 18, day('2026-03-01'))).toBe(true);
    });
  });

  describe('with an unknown month and day (conservative: 31 December decides)', () => {
    it('is 18 only from 31 December of the 18th year', () => {
      expect(isAgeAtLeast('2008-XX-XX', 18, day('2026-12-30'))).toBe(false);
      expect(isAgeAtLeast('2008-XX-XX', 18, day('2026-12-31'))).toBe(true);
    });
  });

  it('with an unknown year is never over any age', () => {
    expect(minimumAge('XXXX-XX-XX', day('2026-01-01'))).toBeNull();
    expect(isAgeAtLeast('XXXX-XX-XX', 18, day('2026-01-01'))).toBe(false);
    expect(isAgeAtLeast('XXXX-01-01', 0, day('2026-01-01'))).toBe(false);
  });

  it('gives a negative age for a birth date in the future, never over 18', () => {
    expect(minimumAge('2030-01-01', day('2026-01-01'))).toBe(-4);
    expect(isAgeAtLeast('2030-01-01', 18, day('2026-01-01'))).toBe(false);
  });
});

describe('ageRange (spec §7)', () => {
  // Each boundary: the day before the birthday that enters the range, and the birthday itself. Born 2000-05-10.
  it.each([
    ['2018-05-09', '<18'],
    ['2018-05-10', '18-20'],
    ['2021-05-09', '18-20'],
    ['2021-05-10', '21-24'],
    ['2025-05-09', '21-24'],
    ['2025-05-10', '25-34'],
    ['2035-05-09', '25-34'],
    ['2035-05-10', '35-49'],
    ['2050-05-09', '35-49'],
    ['2050-05-10', '50-64'],
    ['2065-05-09', '50-64'],
    ['2065-05-10', '65+'],
    ['2110-05-10', '65+'],
  ])('born 2000-05-10, on %s: %s', (on, range) => {
    expect(ageRangeOf('2000-05-10', day(on))).toBe(range);
  });

  it('is <18 for a newborn and a birth date in the future', () => {
    expect(ageRangeOf('2026-01-01', day('2026-01-01'))).toBe('<18');
    expect(ageRangeOf('2027-01-01', day('2026-01-01'))).toBe('<18');
  });

  it('with unknown parts, is the range both ends share', () => {
    expect(ageRangeOf('1990-XX-XX', day('2026-11-26'))).toBe('35-49');
    expect(ageRangeOf('1990-07-XX', day('2026-11-26'))).toBe('35-49');
  });

  it('with unknown parts straddling a boundary, is the younger range', () => {
    // Born between 2001-01-01 (25 on 2026-01-01) and 2001-12-31 (24 until 2026-12-31).
    expect(ageRangeOf('2001-XX-XX', day('2026-06-01'))).toBe('21-24');
    expect(ageRangeOf('2001-XX-XX', day('2026-12-31'))).toBe('25-34');
    expect(ageRangeOf('2001-03-XX', day('2026-03-30'))).toBe('21-24');
    expect(ageRangeOf('2001-03-XX', day('2026-03-31'))).toBe('25-34');
  });

  it('with an unknown year, is <18', () => {
    expect(ageRangeOf('XXXX-XX-XX', day('2026-11-26'))).toBe('<18');
  });

  it('never contradicts ageOver18', () => {
    for (const dob of ['2008-06-15', '2008-XX-XX', '2008-02-XX', '2008-02-29', 'XXXX-XX-XX']) {
      for (const on of ['2026-02-28', '2026-03-01', '2026-06-14', '2026-06-15', '2026-12-30', '2026-12-31']) {
        expect(ageRangeOf(dob, day(on)) !== '<18').toBe(isAgeAtLeast(dob, 18, day(on)));
      }
    }
  });
});
