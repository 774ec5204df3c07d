import { performance } from 'node:perf_hooks';
import { LoginFailure, runOneLogin, type LoginContext, type LoginTimings } from './one-login.js';
import type { BenchService, Phone } from './population.js';
import { Tally } from './stats.js';

export interface LoadOutcome {
  timings: LoginTimings[];
  errors: Tally;
  elapsedSeconds: number;
  cpuSeconds: number;
  rssMiB: { atEnd: number; peak: number };
}

interface LoadPlan {
  baseUrl: string;
  service: BenchService;
  phones: Phone[];
  concurrency: number;
}

const MiB = 2 ** 20;

/** Worker `i` logs in with phone `i mod N`, from an address of its own (rate limits are per client IP). */
function workerContext(plan: LoadPlan, worker: number): { context: LoginContext; phone: Phone } {
  return {
    context: {
      baseUrl: plan.baseUrl,
      service: plan.service,
      clientIp: `10.${(worker >> 16) & 255}.${(worker >> 8) & 255}.${worker & 255}`,
    },
    phone: plan.phones[worker % plan.phones.length],
  };
}

/** One untimed login per worker, all at once: fills connection pools and JIT caches, and proves the setup works. */
export async function warmUp(plan: LoadPlan): Promise<void> {
  const errors = new Tally();
  await Promise.all(
    Array.from({ length: plan.concurrency }, async (_, worker) => {
      const { context, phone } = workerContext(plan, worker);
      try {
        await runOneLogin(context, phone);
      } catch (error) {
        errors.add(error instanceof LoginFailure ? error.kind : String(error));
      }
    }),
  );
  if (errors.total > 0) {
    const kinds = errors.entries().map(([kind, count]) => `${kind} ×${count}`);
    throw new Error(`the warm-up logins failed: ${kinds.join(', ')}`);
  }
}

/**
 * `concurrency` workers log in back to back for `durationSeconds`; a login started in time is waited for, and the
 * rate divides by the time until the last one ended. CPU is this process's user + system time over the same span.
 */
export async function runLoad(plan: LoadPlan, durationSeconds: number): Promise<LoadOutcome> {
  const timings: LoginTimings[] = [];
  const errors = new Tally();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 100);

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationSeconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: plan.concurrency }, async (_, worker) => {
        const { context, phone } = workerContext(plan, worker);
        while (performance.now() < deadline) {
          try {
            timings.push(await runOneLogin(context, phone));
          } catch (error) {
            errors.add(error instanceof LoginFailure ? error.kind : `unexpected: ${String(error)}`);
          }
        }
      }),
    );
  } finally {
    clearInterval(sampler);
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const rss = process.memoryUsage.rss();
  return {
    timings,
    errors,
    elapsedSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssMiB: { atEnd: rss / MiB, peak: Math.max(peakRss, rss) / MiB },
  };
}
