import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { LoginFailure, runOneLogin, type LoginContext, type LoginRoute, type LoginTimings } from './one-login.js';
import type { BenchService, Phone } from './population.js';
import type { ProcessUsage } from './server-nodes.js';
import { Tally } from './stats.js';

/** A server the load goes to; `usage` reads its process's CPU and memory when it runs in a process of its own. */
export interface LoadTarget {
  name: string;
  baseUrl: string;
  usage?: () => ProcessUsage;
}

/** CPU and memory of one server process over the timed phase. */
export interface NodeUsage {
  name: string;
  cpuSeconds: number;
  /** CPU seconds ÷ elapsed seconds: 1.0 is one core kept busy. */
  coresBusy: number;
  rssMiB: { atEnd: number; peak: number };
}

export interface LoadOutcome {
  timings: LoginTimings[];
  errors: Tally;
  elapsedSeconds: number;
  /** This process (the clients, and the server too when it runs in this process). */
  cpuSeconds: number;
  rssMiB: { atEnd: number; peak: number };
  /** Each server process, when the servers run in processes of their own. */
  nodes: NodeUsage[];
}

export interface LoadPlan {
  targets: LoadTarget[];
  service: BenchService;
  phones: Phone[];
  concurrency: number;
}

const MiB = 2 ** 20;

/**
 * The servers a login's steps go to. With one target all go to it. With N > 1 the browser socket is always on
 * another node than the initiate (the `otp_ready` and `approved` events cross nodes through the store), and the
 * verify goes to either of them in turn — every login crosses nodes, in each combination.
 */
export function routeFor(targets: LoadTarget[], login: number): LoginRoute {
  const count = targets.length;
  const at = (index: number) => targets[index % count].baseUrl;
  return { initiate: at(login), socket: at(login + 1), verify: at(login + Math.floor(login / count)) };
}

/** Worker `i` logs in with phone `i mod N`, from an address of its own (rate limits are per client IP). */
function workerContext(plan: LoadPlan, worker: number, login: number): { context: LoginContext; phone: Phone } {
  return {
    context: {
      route: routeFor(plan.targets, login),
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
      const { context, phone } = workerContext(plan, worker, worker);
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

/** Samples RSS of this process and of each server process every 100 ms; `stop` returns the peaks. */
function sampleMemory(targets: LoadTarget[]): () => number[] {
  const read = () => [process.memoryUsage.rss(), ...targets.map((target) => (target.usage?.().rssMiB ?? 0) * MiB)];
  let peaks = read();
  const sampler = setInterval(() => {
    peaks = read().map((value, index) => Math.max(value, peaks[index] ?? 0));
  }, 100);
  return () => {
    clearInterval(sampler);
    return read().map((value, index) => Math.max(value, peaks[index] ?? 0));
  };
}

/**
 * `concurrency` workers log in back to back for `durationSeconds`; a login started in time is waited for, and the
 * rate divides by the time until the last one ended. CPU is each process's user + system time over the same span.
 */
export function runLoad(plan: LoadPlan, durationSeconds: number): Promise<LoadOutcome> {
  return measureLoad(plan, async (attempt) => {
    const deadline = performance.now() + durationSeconds * 1000;
    await Promise.all(
      Array.from({ length: plan.concurrency }, async (_, worker) => {
        while (performance.now() < deadline) await attempt(worker);
      }),
    );
  });
}

/**
 * Logins started at a steady `perSecond` for `durationSeconds`, each on time whatever the earlier ones are doing (an
 * open loop: a slow answer does not hold back the next start, so its latency is not hidden); login i goes as worker i
 * (phone i mod N, an address of its own). Measured like {@link runLoad}, until the last one ended.
 */
export function runPacedLoad(plan: LoadPlan, perSecond: number, durationSeconds: number): Promise<LoadOutcome> {
  return measureLoad(plan, async (attempt) => {
    const count = Math.max(1, Math.round(perSecond * durationSeconds));
    const started = performance.now();
    const running: Promise<void>[] = [];
    for (let login = 0; login < count; login += 1) {
      const wait = started + (login * 1000) / perSecond - performance.now();
      if (wait > 0) await delay(wait);
      running.push(attempt(login));
    }
    await Promise.all(running);
  });
}

/** Runs `drive`, which makes its logins through `attempt`, and measures them: timings, errors, CPU and memory. */
async function measureLoad(
  plan: LoadPlan,
  drive: (attempt: (worker: number) => Promise<void>) => Promise<void>,
): Promise<LoadOutcome> {
  const timings: LoginTimings[] = [];
  const errors = new Tally();
  const measured = plan.targets.filter((target) => target.usage);
  const nodeCpuBefore = measured.map((target) => target.usage?.().cpuSeconds ?? 0);
  const stopSampling = sampleMemory(measured);
  let logins = 0;
  let peaks: number[] = [];
  const attempt = async (worker: number): Promise<void> => {
    const { context, phone } = workerContext(plan, worker, logins);
    logins += 1;
    try {
      timings.push(await runOneLogin(context, phone));
    } catch (error) {
      errors.add(error instanceof LoginFailure ? error.kind : `unexpected: ${String(error)}`);
    }
  };

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    await drive(attempt);
  } finally {
    peaks = stopSampling();
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const rss = process.memoryUsage.rss();
  return {
    timings,
    errors,
    elapsedSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssMiB: { atEnd: rss / MiB, peak: Math.max(peaks[0] ?? 0, rss) / MiB },
    nodes: measured.map((target, index) => {
      const usage = target.usage?.() ?? { cpuSeconds: 0, rssMiB: 0 };
      const cpuSeconds = usage.cpuSeconds - (nodeCpuBefore[index] ?? 0);
      return {
        name: target.name,
        cpuSeconds,
        coresBusy: cpuSeconds / elapsedSeconds,
        rssMiB: { atEnd: usage.rssMiB, peak: Math.max(usage.rssMiB, (peaks[index + 1] ?? 0) / MiB) },
      };
    }),
  };
}
