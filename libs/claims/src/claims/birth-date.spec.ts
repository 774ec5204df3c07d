import { latestPossibleBirthDay, utcDay } from './birth-date.js';

describe('latestPossibleBirthDay', () => {
  it('gives a complete date as it is', () => {
    expect(latestPossibleBirthDay('1985-07-14')).toEqual({ year: 1985, month: 7, day: 14 });
  });

  it('gives the last day of the month when the day is unknown', () => {
    expect(latestPossibleBirthDay('1985-07-XX')).toEqual({ year: 1985, month: 7, day: 31 });
    expect(latestPossibleBirthDay('1985-04-XX')).toEqual({ year: 1985, month: 4, day: 30 });
    expect(latestPossibleBirthDay('1985-02-XX')).toEqual({ year: 1985, month: 2, day: 28 });
    expect(latestPossibleBirthDay('1984-02-XX')).toEqual({ year: 1984, month: 2, day: 29 });
  });

  it('gives December when the month is unknown', () => {
    expect(latestPossibleBirthDay('1985-XX-XX')).toEqual({ year: 1985, month: 12, day: 31 });
    expect(latestPossibleBirthDay('1985-XX-15')).toEqual({ year: 1985, month: 12, day: 15 });
  });

  it('gives null when the year is unknown', () => {
    expect(latestPossibleBirthDay('XXXX-XX-XX')).toBeNull();
    expect(latestPossibleBirthDay('XXXX-07-14')).toBeNull();
  });

  it.each(['1985-7-14', '85-07-14', '1985-13-01', '1985-00-10', '1985-02-29', '1985-04-31', '1985-07-00', '', 'X'])(
    'throws on the corrupt value %j',
    (value) => {
      expect(() => latestPossibleBirthDay(value)).toThrow(RangeError);
    },
  );
});

describe('utcDay', () => {
  it('takes the calendar day in UTC, whatever the local zone', () => {
    expect(utcDay(new Date('2026-03-01T00:00:00Z'))).toEqual({ year: 2026, month: 3, day: 1 });
    expect(utcDay(new Date('2026-02-28T23:59:59.999Z'))).toEqual({ year: 2026, month: 2, day: 28 });
    expect(utcDay(new Date('2026-03-01T00:30:00+01:00'))).toEqual({ year: 2026, month: 2, day: 28 });
  });
});
