import type { FaultCluster } from './cluster.js';
import type { LoginRecord } from './fault-login.js';
import { healthStatus } from './idp-node.js';

/** Both nodes still run (never exited) and answer `GET /health/live`; their last log lines when one does not. */
export async function expectNodesAlive(cluster: FaultCluster): Promise<void> {
  for (const node of cluster.nodes) {
    const live = await healthStatus(node.baseUrl, '/health/live');
    if (!node.running || live !== 200) {
      throw new Error(`${node.name} is not alive (ended: ${node.ended ?? 'no'}, live: ${live}):\n${node.log}`);
    }
  }
}

/**
 * The audit trail against what the clients saw: no session approved twice, every approval a page saw recorded once,
 * and a recorded approval no page saw only where the phone was not told "approved" either (the approval was cut
 * off between its consent receipt and its delivery by the fault — the receipt is written first on purpose).
 */
export function checkApprovals(
  records: LoginRecord[],
  approvals: Map<string, number>,
): {
  twice: [string, number][];
  unrecorded: string[];
  undelivered: string[];
  deliveredToPhoneOnly: string[];
} {
  const seen = new Map(records.filter((record) => record.sessionId).map((record) => [record.sessionId!, record]));
  const approvedByPage = [...seen.values()].filter((record) => record.end.kind === 'approved');
  const undelivered = [...approvals.keys()].filter((sessionId) => seen.get(sessionId)?.end.kind !== 'approved');
  return {
    twice: [...approvals].filter(([, count]) => count > 1),
    unrecorded: approvedByPage.filter((record) => approvals.get(record.sessionId!) !== 1).map((r) => r.sessionId!),
    undelivered,
    deliveredToPhoneOnly: undelivered.filter((sessionId) => seen.get(sessionId)?.verify?.status === 200),
  };
}
