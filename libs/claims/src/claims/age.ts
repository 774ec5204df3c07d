import { isLeapYear, latestPossibleBirthDay, utcDay, type CalendarDay } from './birth-date.js';
import type { AgeRange } from './identity-claims.js';

/**
 * The day someone born on `birth` turns a year older in `year`. spec §7: the birthday itself counts. Decision:
 * a 29 February birthday falls on 1 March in common years (the day after 28 Feb, when the full year has passed;
 * the rule of e.g. UK and German law for majority).
 */
function birthdayIn(birth: CalendarDay, year: number): CalendarDay {
  if (birth.month === 2 && birth.day === 29 && !isLeapYear(year)) return { year, month: 3, day: 1 };
  return { year, month: birth.month, day: birth.day };
}

const compareDays = (a: CalendarDay, b: CalendarDay) => a.year - b.year || a.month - b.month || a.day - b.day;

/** Completed years between `birth` and `today` (negative for a birth date in the future). */
export function completedYears(birth: CalendarDay, today: CalendarDay): number {
  const years = today.year - birth.year;
  return compareDays(birthdayIn(birth, today.year), today) <= 0 ? years : years - 1;
}

/**
 * The youngest age the holder may have at `at` (UTC day): from the latest day their `dob` may stand for
 * (birth-date.ts), or null when the year of birth is unknown.
 */
export function minimumAge(dateOfBirth: string, at: Date): number | null {
  const birth = latestPossibleBirthDay(dateOfBirth);
  return birth === null ? null : completedYears(birth, utcDay(at));
}

/**
 * spec §7 `ageOver18|21|25`: true only when the holder is certainly at least `years` old. Decision: with an unknown
 * day or month, the latest possible birth date decides; with an unknown year, false.
 */
export function isAgeAtLeast(dateOfBirth: string, years: number, at: Date): boolean {
  const age = minimumAge(dateOfBirth, at);
  return age !== null && age >= years;
}

/** Lower bound of each range after `<18`, oldest first. */
const RANGE_FLOORS: readonly (readonly [number, AgeRange])[] = [
  [65, '65+'],
  [50, '50-64'],
  [35, '35-49'],
  [25, '25-34'],
  [21, '21-24'],
  [18, '18-20'],
];

/**
 * spec §7 `ageRange`. Decision: the range of the youngest possible age, as for ageOver — with unknown parts this is
 * the range both ends share, or the younger one when they straddle a boundary; an unknown year gives `<18`. So
 * ageRange never contradicts ageOver18 and never claims more age than the document proves.
 */
export function ageRangeOf(dateOfBirth: string, at: Date): AgeRange {
  const age = minimumAge(dateOfBirth, at);
  if (age === null) return '<18';
  return RANGE_FLOORS.find(([floor]) => age >= floor)?.[1] ?? '<18';
}
