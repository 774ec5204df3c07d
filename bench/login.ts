import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { measureCryptoCeiling, runBareLoop } from './support/ceilings.js';
import { runLoad, warmUp } from './support/load.js';
import { readOptions, USAGE, UsageError } from './support/options.js';
import { populate } from './support/population.js';
import { formatTable, machineInfo, writeResult, type LoginBenchResult } from './support/report.js';
import { round, summarize } from './support/stats.js';
import { BENCH_ADMIN_KEY, startBenchServer } from './support/server.js';

/**
 * Login throughput (spec §6): the real IdP in this process on loopback, N enrolled phones, C workers each running
 * whole logins (initiate → browser socket `otp_ready` → signed verify → `approved`, hash checked) back to back.
 * See bench/README.md for what each number means.
 */
async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return;
  }
  const startedAt = new Date().toISOString();
  // The harness, like the tests, takes its PostgreSQL and Redis from the environment (not an AppConfig setting).
  // eslint-disable-next-line no-restricted-properties
  const { DATABASE_URL, REDIS_URL } = process.env;
  const server = await startBenchServer({ databaseUrl: DATABASE_URL || undefined, redisUrl: REDIS_URL || undefined });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`database: ${server.backends.database} · store: ${server.backends.store} · server at ${server.baseUrl}`);
  try {
    const setupStarted = performance.now();
    log(`setting up ${options.devices} phones (issue, enroll, trust)…`);
    const population = await populate(server.baseUrl, BENCH_ADMIN_KEY, options.devices, (done) => {
      if (done % 10 === 0 || done === options.devices) log(`  ${done}/${options.devices} phones ready`);
    });
    try {
      const plan = { baseUrl: server.baseUrl, service: population.service, phones: population.phones, ...options };
      await warmUp(plan);
      const setupSeconds = (performance.now() - setupStarted) / 1000;
      log('ceiling 1: crypto primitives on one core…');
      const crypto = await measureCryptoCeiling();
      log(`ceiling 2: the bare loop, ${options.concurrency} workers for ${options.durationSeconds} s…`);
      const bare = await runBareLoop(server.app, plan, options.durationSeconds);
      log(`timed phase: ${options.concurrency} workers for ${options.durationSeconds} s…`);
      const outcome = await runLoad(plan, options.durationSeconds);

      const completed = outcome.timings.length;
      const machine = machineInfo(server.backends);
      const loginsPerSecond = completed / outcome.elapsedSeconds;
      const cryptoAllCores = crypto.loginsPerSecondPerCore * machine.cpuCount;
      const result: LoginBenchResult = {
        startedAt,
        options,
        machine,
        setupSeconds: round(setupSeconds),
        cryptoCeiling: {
          opsPerSecond: Object.fromEntries(
            Object.entries(crypto.opsPerSecond).map(([primitive, perSecond]) => [primitive, round(perSecond, 0)]),
          ) as typeof crypto.opsPerSecond,
          perLogin: crypto.perLogin,
          loginsPerSecondPerCore: round(crypto.loginsPerSecondPerCore, 0),
          loginsPerSecondAllCores: round(cryptoAllCores, 0),
        },
        bareLoop: {
          loginsPerSecond: round(bare.loginsPerSecond, 2),
          loginsCompleted: bare.loginsCompleted,
          errors: bare.errors.total,
          cpuSecondsPerLogin: round(bare.cpuSecondsPerLogin, 6),
        },
        ratios: {
          toBareLoop: round(loginsPerSecond / bare.loginsPerSecond, 2),
          toCryptoBound: round(loginsPerSecond / cryptoAllCores, 3),
        },
        timed: {
          elapsedSeconds: round(outcome.elapsedSeconds),
          loginsCompleted: completed,
          loginsPerSecond: round(loginsPerSecond, 2),
          errors: outcome.errors.total,
          errorKinds: Object.fromEntries(outcome.errors.entries()),
          latencyMs: {
            initiate: summarize(outcome.timings.map((t) => t.initiateMs)),
            otpReady: summarize(outcome.timings.map((t) => t.otpReadyMs)),
            verify: summarize(outcome.timings.map((t) => t.verifyMs)),
            approved: summarize(outcome.timings.map((t) => t.approvedMs)),
            endToEnd: summarize(outcome.timings.map((t) => t.endToEndMs)),
          },
          cpuSecondsPerLogin: completed === 0 ? Number.NaN : round(outcome.cpuSeconds / completed, 6),
          cpuSecondsTotal: round(outcome.cpuSeconds),
          rssMiB: { atEnd: round(outcome.rssMiB.atEnd, 1), peak: round(outcome.rssMiB.peak, 1) },
        },
      };
      console.log(formatTable(result));
      const file = writeResult(fileURLToPath(new URL('../../bench/results/', import.meta.url)), result);
      log(`\nwritten to ${file}`);
      if (completed === 0) process.exitCode = 1;
    } finally {
      population.dispose();
    }
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
