const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Days in `month` (1–12); with the year unknown, February may have 29. */
export function daysInMonth(month: number, year?: number): number {
  if (month === 2 && (year === undefined || isLeapYear(year))) return 29;
  return DAYS_IN_MONTH[month - 1];
}

/** A real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(month, year);
}

/**
 * spec §2 `dob`: `YYYY-MM-DD` where each part the MRZ leaves unknown is written with `X` (`1985-XX-XX`). Known
 * parts must be possible: month 01–12, day within that month when the month is known.
 */
export function isMrzDate(value: string): boolean {
  const match = /^(\d{4}|XXXX)-(\d{2}|XX)-(\d{2}|XX)$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map((part) => (part.startsWith('X') ? undefined : Number(part)));
  if (month !== undefined && (month < 1 || month > 12)) return false;
  if (day === undefined) return true;
  return day >= 1 && day <= (month === undefined ? 31 : daysInMonth(month, year));
}

/** Midnight UTC at the start of the day after `date` (`YYYY-MM-DD`), the instant that day has ended. */
export function endOfUtcDay(date: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const end = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  end.setUTCFullYear(year, month - 1, day + 1);
  return end;
}
