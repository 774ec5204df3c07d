import { setTimeout as delay } from 'node:timers/promises';
import type { LoginRecord, VerifyAnswer } from './fault-login.js';

/** Logins of one test, started a few milliseconds apart and all in flight together. */
export interface Wave {
  /** Every login's record, once all have ended. */
  done: Promise<LoginRecord[]>;
  /** How many have ended so far. */
  ended(): number;
  /** How many have ended approved so far. */
  approved(): number;
}

/** The number of concurrent logins: FAULT_LOGINS, 200 by default. */
export function loginCount(): number {
  const count = Number(process.env.FAULT_LOGINS ?? 200);
  if (!Number.isInteger(count) || count < 1) throw new Error(`FAULT_LOGINS must be a positive integer, not ${count}`);
  return count;
}

/** Starts `count` logins, `spacingMs` apart (so the fault finds them at every step), all running at once. */
export function startWave(count: number, spacingMs: number, login: (index: number) => Promise<LoginRecord>): Wave {
  let ended = 0;
  let approved = 0;
  const done = Promise.all(
    Array.from({ length: count }, async (_, index) => {
      await delay(index * spacingMs);
      const record = await login(index);
      ended += 1;
      if (record.end.kind === 'approved') approved += 1;
      return record;
    }),
  );
  return { done, ended: () => ended, approved: () => approved };
}

/** Resolves once `condition` holds, or after `timeoutMs` whatever it says (the fault then comes regardless). */
export async function whenOr(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await delay(50);
}

/** A tally of how logins ended, e.g. `{ approved: 150, "initiate-refused 503 service_unavailable": 20, … }`. */
export function tally(records: LoginRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { end, verify } of records) {
    let key: string = end.kind;
    if (end.kind === 'initiate-refused' || end.kind === 'refused') key += ` ${end.status} ${end.code}`;
    if (end.kind === 'rejected') key += ` ${end.reason}`;
    if (end.kind === 'approved') key += ` via ${end.via}`;
    if (end.kind === 'undefined') key += `: ${end.detail}`;
    if (verify && end.kind !== 'approved')
      key += ` (verify ${verify.status}${'code' in verify ? ` ${verify.code}` : ''})`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** A verify answer that is neither an approval nor a clear refusal (problem+json with a code), or none at all. */
function unclear(verify: VerifyAnswer | undefined): boolean {
  if (verify === undefined) return false;
  if ('detail' in verify) return true;
  return verify.status !== 200 && !verify.code;
}

/** The records that did not end in a defined state (approved, rejected, expired, or a clear refusal). */
export function undefinedEnds(records: LoginRecord[]): LoginRecord[] {
  return records.filter(
    (record) => record.end.kind === 'undefined' || record.otpMismatch === true || unclear(record.verify),
  );
}
