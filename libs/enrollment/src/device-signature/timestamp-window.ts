import { DomainError } from '#idtoken/platform';

/** Spec §4, §5.1, §6.2: a device timestamp must be within ±30 s of the server's clock. */
export const TIMESTAMP_WINDOW_SECONDS = 30;

export function assertFreshTimestamp(timestamp: number, now: Date): void {
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - timestamp);
  // Written so that NaN (not a time at all) fails too: `NaN > 30` is false.
  if (!(skew <= TIMESTAMP_WINDOW_SECONDS)) {
    throw new DomainError(
      'stale_timestamp',
      `timestamp is ${skew} s away from the server clock (allowed: ±${TIMESTAMP_WINDOW_SECONDS} s)`,
    );
  }
}
