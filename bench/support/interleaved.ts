import type { BareLoopOutcome } from './ceilings.js';
import type { LoadOutcome, NodeUsage } from './load.js';
import { Tally } from './stats.js';

/**
 * The bare loop and the HTTP + WebSocket load, measured in alternating slices (A B B A A B …) rather than one after
 * the other: this machine's speed drifts by several times within minutes, and a drift then falls on both sides of
 * the ratio alike (a linear one cancels over each A B B A). Each side's outcome is the sum of its slices.
 */
export async function runInterleaved(
  slices: number,
  sliceSeconds: number,
  bare: (seconds: number) => Promise<BareLoopOutcome>,
  http: (seconds: number) => Promise<LoadOutcome>,
): Promise<{ bare: BareLoopOutcome; http: LoadOutcome }> {
  const bareSlices: BareLoopOutcome[] = [];
  const httpSlices: LoadOutcome[] = [];
  for (let slice = 0; slice < slices; slice += 1) {
    if (slice % 2 === 0) {
      bareSlices.push(await bare(sliceSeconds));
      httpSlices.push(await http(sliceSeconds));
    } else {
      httpSlices.push(await http(sliceSeconds));
      bareSlices.push(await bare(sliceSeconds));
    }
  }
  return { bare: mergeBareLoops(bareSlices), http: mergeLoads(httpSlices) };
}

/** One bare-loop outcome for several slices: logins, time and CPU add up; the rates are recomputed. */
export function mergeBareLoops(slices: BareLoopOutcome[]): BareLoopOutcome {
  const loginsCompleted = sum(slices.map((slice) => slice.loginsCompleted));
  const elapsedSeconds = sum(slices.map((slice) => slice.elapsedSeconds));
  const cpuSeconds = sum(slices.map((slice) => slice.cpuSecondsPerLogin * slice.loginsCompleted || 0));
  return {
    loginsCompleted,
    elapsedSeconds,
    loginsPerSecond: loginsCompleted / elapsedSeconds,
    cpuSecondsPerLogin: loginsCompleted === 0 ? Number.NaN : cpuSeconds / loginsCompleted,
    errors: mergeTallies(slices.map((slice) => slice.errors)),
  };
}

/** One load outcome for several slices: timings and errors pooled, time and CPU summed, memory at its peak. */
export function mergeLoads(slices: LoadOutcome[]): LoadOutcome {
  const last = slices[slices.length - 1];
  if (!last) throw new Error('no slices to merge');
  const elapsedSeconds = sum(slices.map((slice) => slice.elapsedSeconds));
  return {
    timings: slices.flatMap((slice) => slice.timings),
    errors: mergeTallies(slices.map((slice) => slice.errors)),
    elapsedSeconds,
    cpuSeconds: sum(slices.map((slice) => slice.cpuSeconds)),
    rssMiB: { atEnd: last.rssMiB.atEnd, peak: Math.max(...slices.map((slice) => slice.rssMiB.peak)) },
    nodes: last.nodes.map((node, index): NodeUsage => {
      const same = slices.map((slice) => slice.nodes[index]).filter((usage) => usage !== undefined);
      const cpuSeconds = sum(same.map((usage) => usage.cpuSeconds));
      return {
        name: node.name,
        cpuSeconds,
        coresBusy: cpuSeconds / elapsedSeconds,
        rssMiB: { atEnd: node.rssMiB.atEnd, peak: Math.max(...same.map((usage) => usage.rssMiB.peak)) },
      };
    }),
  };
}

function mergeTallies(tallies: Tally[]): Tally {
  const merged = new Tally();
  for (const tally of tallies) for (const [name, count] of tally.entries()) merged.add(name, count);
  return merged;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
