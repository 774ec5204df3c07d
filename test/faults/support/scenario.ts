import { setTimeout as delay } from 'node:timers/promises';
import type { FaultCluster } from './cluster.js';
import { faultTolerantLogin, type LoginRecord, type LoginRoute } from './fault-login.js';
import { healthStatus } from './idp-node.js';
import { waitUntil } from './wait-until.js';
import { startWave, whenOr } from './wave.js';

/** Login `index`'s route: initiate on one node, the page on the other, the phone on either — every pairing. */
export function crossRoute(cluster: FaultCluster, index: number): LoginRoute {
  const [a, b] = cluster.nodes.map((node) => node.baseUrl) as [string, string];
  const first = index % 2 === 0 ? a : b;
  const second = first === a ? b : a;
  const verifyFirst = Math.floor(index / 2) % 2 === 0 ? a : b;
  return { initiate: [first, second], page: [second, first], verify: [verifyFirst, verifyFirst === a ? b : a] };
}

/** `count` logins, phones taken in turn (a phone may have several logins in flight, as with several tabs). */
export function loginsOf(cluster: FaultCluster, count: number, spacingMs: number) {
  const { phones, service } = cluster.population;
  return startWave(count, spacingMs, (index) =>
    faultTolerantLogin(crossRoute(cluster, index), service, phones[index % phones.length]!),
  );
}

/**
 * `count` concurrent logins with a dependency taken away once a share of them is approved (so the fault meets
 * logins at every step) and given back `downtimeMs` later. Returns every login's record and how many were approved
 * before the fault.
 */
export async function loginsThroughFault(
  cluster: FaultCluster,
  count: number,
  fault: { takeAway(): Promise<void>; giveBack(): Promise<void>; downtimeMs: number },
): Promise<{ records: LoginRecord[]; approvedBeforeFault: number }> {
  const wave = loginsOf(cluster, count, 50);
  await whenOr(() => wave.approved() >= Math.max(1, Math.floor(count * 0.15)), 90_000);
  const approvedBeforeFault = wave.approved();
  await fault.takeAway();
  await delay(fault.downtimeMs);
  await fault.giveBack();
  return { records: await wave.done, approvedBeforeFault };
}

/** Waits until both nodes say they are ready again (their pools and ioredis reconnected by themselves). */
export async function bothReady(cluster: FaultCluster): Promise<void> {
  for (const node of cluster.nodes) {
    await waitUntil(
      `${node.name} ready again`,
      async () => (await healthStatus(node.baseUrl, '/health/ready')) === 200,
    );
  }
}

/** A few logins after the fault, on every route: each must be approved. */
export async function loginsAfterRecovery(cluster: FaultCluster, count: number): Promise<LoginRecord[]> {
  return loginsOf(cluster, count, 50).done;
}
