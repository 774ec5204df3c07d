import { performance } from 'node:perf_hooks';
import type { FlowTimings } from './oidc-code-flow.js';
import { failureKind } from './oidc-failure.js';
import { Tally } from './stats.js';

/** One flow of worker `worker`, end to end; throws on any failed step. */
export type FlowRunner = (worker: number) => Promise<FlowTimings>;

export interface PhaseOutcome {
  timings: FlowTimings[];
  errors: Tally;
  elapsedSeconds: number;
  /** user + system CPU of this whole process over the phase. */
  cpuSeconds: number;
}

/** One untimed flow per worker, all at once: fills connection pools and JIT caches, and proves the setup works. */
export async function warmUpFlows(label: string, run: FlowRunner, concurrency: number): Promise<void> {
  const errors = new Tally();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      try {
        await run(worker);
      } catch (error) {
        errors.add(failureKind(error));
      }
    }),
  );
  if (errors.total > 0) {
    const kinds = errors.entries().map(([kind, count]) => `${kind} ×${count}`);
    throw new Error(`the ${label} warm-up flows failed: ${kinds.join(', ')}`);
  }
}

/**
 * `concurrency` workers run flows back to back for `durationSeconds` (closed loop); a flow started in time is
 * waited for, and the rate divides by the time until the last one ended.
 */
export async function runFlows(run: FlowRunner, concurrency: number, durationSeconds: number): Promise<PhaseOutcome> {
  const timings: FlowTimings[] = [];
  const errors = new Tally();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationSeconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        try {
          timings.push(await run(worker));
        } catch (error) {
          errors.add(failureKind(error));
        }
      }
    }),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { timings, errors, elapsedSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
