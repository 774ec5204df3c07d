import { checkApprovals, expectNodesAlive } from './assertions.js';
import { approvalsPerSession, startFaultCluster, type FaultCluster } from './cluster.js';
import { bothReady, loginsAfterRecovery, loginsThroughFault } from './scenario.js';
import { loginCount, tally, undefinedEnds } from './wave.js';

const PHONES = Number(process.env.FAULT_PHONES ?? 40);

export interface DependencyFault {
  /** As the test names it: "Redis", "PostgreSQL". */
  name: string;
  /** Takes the dependency away (a kill), and gives it back. */
  kill(cluster: FaultCluster): Promise<void>;
  restart(cluster: FaultCluster): Promise<void>;
  /**
   * Whether every phone told "approved" must have a page that saw it: true when the results outlive the fault (they
   * are kept in Redis, so a PostgreSQL fault cannot lose one).
   */
  resultsSurvive: boolean;
}

/**
 * Issue 11: a dependency of both server nodes dies in the middle of concurrent logins and comes back. Nothing may
 * crash, hang or approve a session twice; every login ends approved or with an answer that says why not; the logins
 * started afterwards work.
 */
export function describeDependencyFault(fault: DependencyFault): void {
  describe(`fault: ${fault.name} killed and restarted during concurrent logins`, () => {
    let cluster: FaultCluster;

    beforeAll(async () => {
      cluster = await startFaultCluster(PHONES);
    }, 200_000);
    afterAll(() => cluster?.dispose(), 60_000);

    it('keeps both nodes up, approves no session twice, ends every login in a defined state, and recovers', async () => {
      const count = loginCount();
      const { records, approvedBeforeFault } = await loginsThroughFault(cluster, count, {
        takeAway: () => fault.kill(cluster),
        giveBack: () => fault.restart(cluster),
        downtimeMs: 3_000,
      });
      const outcome = tally(records);
      console.info(`${fault.name} fault, ${count} logins: ${JSON.stringify(outcome, null, 1)}`);

      expect(records).toHaveLength(count);
      // No hang, no unclear answer: approved, rejected, expired, or a problem+json code at whichever step stopped it.
      expect(undefinedEnds(records)).toEqual([]);
      // The fault met logins in flight: some were approved before it, and some were refused or retried because of it.
      expect(approvedBeforeFault).toBeGreaterThan(0);
      const approved = records.filter((record) => record.end.kind === 'approved').length;
      expect(records.some((record) => record.end.kind !== 'approved' || record.retried.length > 0)).toBe(true);
      await expectNodesAlive(cluster);

      const approvals = await approvalsPerSession(cluster);
      const audit = checkApprovals(records, approvals);
      console.info(
        `audit: ${approvals.size} approved sessions, ${audit.undelivered.length} never seen approved by their page`,
      );
      expect(audit.twice).toEqual([]);
      expect(audit.unrecorded).toEqual([]);
      // A receipt nobody saw delivered may only come from an approval the fault cut off after it was recorded.
      expect(audit.undelivered.length).toBeLessThanOrEqual(records.length - approved);
      expect([...approvals.values()].reduce((sum, n) => sum + n, 0)).toBe(approved + audit.undelivered.length);
      if (fault.resultsSurvive) expect(audit.deliveredToPhoneOnly).toEqual([]);

      await bothReady(cluster);
      const after = await loginsAfterRecovery(cluster, 20);
      expect(tally(after)).toEqual({ 'approved via socket': after.length });
      const approvalsAfter = await approvalsPerSession(cluster);
      for (const record of after) expect(approvalsAfter.get(record.sessionId!)).toBe(1);
      await expectNodesAlive(cluster);
    }, 220_000);
  });
}
