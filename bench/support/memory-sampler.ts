import { setTimeout as delay } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ProcessUsage } from './server-nodes.js';

const MiB = 2 ** 20;

/** Resident memory of this process and, when it runs in a process of its own, of the server, in MiB. */
export interface RssSample {
  clientMiB: number;
  serverMiB?: number;
}

/**
 * A full garbage collection in this process, twice with a pause between so that freed pages go back to the system:
 * this process's RSS readings are then of live memory, not of garbage such as the setup server's PGlite.
 */
export async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  await delay(250);
  gc();
}

/** Reads both now. */
export function readRss(serverUsage?: () => ProcessUsage): RssSample {
  return { clientMiB: process.memoryUsage.rss() / MiB, serverMiB: serverUsage?.().rssMiB };
}

/** Samples both every `intervalMs` until `stop`, which returns the highest of each (including one last reading). */
export function sampleRssPeaks(serverUsage?: () => ProcessUsage, intervalMs = 100): { stop(): RssSample } {
  let peak = readRss(serverUsage);
  const take = () => {
    let now: RssSample;
    try {
      now = readRss(serverUsage);
    } catch {
      // The server process is gone: the run reports that through its errors and health check.
      return;
    }
    peak = {
      clientMiB: Math.max(peak.clientMiB, now.clientMiB),
      serverMiB: now.serverMiB === undefined ? undefined : Math.max(peak.serverMiB ?? 0, now.serverMiB),
    };
  };
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}
