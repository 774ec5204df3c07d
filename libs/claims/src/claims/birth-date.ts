/** A day of the Gregorian calendar; months 1–12. */
export interface CalendarDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The calendar day `at` falls on in UTC. Decision: ages change at midnight UTC, the server's one calendar. */
export function utcDay(at: Date): CalendarDay {
  return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate() };
}

/**
 * The latest day a `dob` (spec §2: `YYYY-MM-DD`, unknown parts as `XX`) may stand for, or null when the year is
 * unknown. Age claims use it because it gives the youngest age the holder may be: a claim never says someone is
 * older than the document proves (`1985-07-XX` → 1985-07-31, `1985-XX-XX` → 1985-12-31, `1984-02-XX` → 1984-02-29).
 * Throws on anything else: the value was validated at issuance, so a bad one here is corrupt data, not input.
 */
export function latestPossibleBirthDay(dateOfBirth: string): CalendarDay | null {
  const match = /^(\d{4}|XXXX)-(\d{2}|XX)-(\d{2}|XX)$/.exec(dateOfBirth);
  if (!match) throw new RangeError(`dateOfBirth is not YYYY-MM-DD with XX for unknown parts: ${dateOfBirth}`);
  const [yearText, monthText, dayText] = match.slice(1) as [string, string, string];
  const known = (text: string) => (text.startsWith('X') ? undefined : Number(text));
  const [year, knownMonth, knownDay] = [known(yearText), known(monthText), known(dayText)];
  if (knownMonth !== undefined && (knownMonth < 1 || knownMonth > 12)) {
    throw new RangeError(`dateOfBirth has month ${knownMonth}: ${dateOfBirth}`);
  }
  if (year === undefined) return null;
  const month = knownMonth ?? 12;
  const day = knownDay ?? daysInMonth(year, month);
  if (day < 1 || day > daysInMonth(year, month)) throw new RangeError(`dateOfBirth has no such day: ${dateOfBirth}`);
  return { year, month, day };
}
