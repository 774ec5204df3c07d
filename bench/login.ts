import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { measureCryptoCeiling, runBareLoop, type BareLoopOutcome, type CryptoCeiling } from './support/ceilings.js';
import { runLoad, warmUp, type LoadPlan } from './support/load.js';
import { readOptions, runBenchmark, USAGE, type BenchOptions } from './support/options.js';
import { populate, type Population } from './support/population.js';
import { formatTable, machineInfo, writeResult, type LoginBenchResult, type TimedPhase } from './support/report.js';
import { startServerNodes } from './support/server-nodes.js';
import { BENCH_ADMIN_KEY, prepareBackends, startInProcessServer, type BenchBackends } from './support/server.js';
import { round, summarize } from './support/stats.js';

/**
 * Login throughput (spec §6): N enrolled phones, C workers each running whole logins (initiate → browser socket
 * `otp_ready` → signed verify → `approved`, hash checked) back to back against the real IdP on loopback. Setup and
 * the bare loop use a server in this process; each timed phase runs the production entry point in 1…n processes of
 * their own, so server CPU is measured apart from the clients'. See bench/README.md for what each number means.
 */
async function main(): Promise<void> {
  // The harness, like the tests, takes its PostgreSQL and Redis from the environment (not an AppConfig setting).
  // eslint-disable-next-line no-restricted-properties
  const { DATABASE_URL, REDIS_URL } = process.env;
  const options = readOptions(process.argv.slice(2), Boolean(DATABASE_URL && REDIS_URL));
  if (!options) {
    console.log(USAGE);
    return;
  }
  const startedAt = new Date().toISOString();
  const prepared = await prepareBackends({ databaseUrl: DATABASE_URL || undefined, redisUrl: REDIS_URL || undefined });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`database: ${prepared.backends.database} · store: ${prepared.backends.store}`);
  try {
    const setupStarted = performance.now();
    const inProcess = await startInProcessServer(prepared.settings);
    let population: Population | undefined;
    let crypto: CryptoCeiling;
    let bare: BareLoopOutcome;
    try {
      log(`setting up ${options.devices} phones (issue, enroll, trust)…`);
      population = await populate(inProcess.baseUrl, BENCH_ADMIN_KEY, options.devices, (done) => {
        if (done % 10 === 0 || done === options.devices) log(`  ${done}/${options.devices} phones ready`);
      });
      const plan = { ...population, concurrency: options.concurrency };
      await warmUp({ ...plan, targets: [{ name: 'in-process', baseUrl: inProcess.baseUrl }] });
      log('ceiling 1: crypto primitives on one core…');
      crypto = await measureCryptoCeiling();
      log(`ceiling 2: the bare loop, ${options.concurrency} workers for ${options.durationSeconds} s…`);
      bare = await runBareLoop(inProcess.app, plan, options.durationSeconds);
    } catch (error) {
      population?.dispose();
      throw error;
    } finally {
      // PGlite admits one process at a time: the server processes open the data after this one has closed it.
      await inProcess.close();
    }
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    try {
      const phases: TimedPhase[] = [];
      for (const count of options.nodes) {
        log(
          `timed phase: ${count} server process(es), ${options.concurrency} workers for ${options.durationSeconds} s…`,
        );
        phases.push(await timedPhase(prepared, count, { ...population, concurrency: options.concurrency }, options));
      }
      const machine = machineInfo(prepared.backends);
      const cryptoAllCores = crypto.loginsPerSecondPerCore * machine.cpuCount;
      const headline = phases[0]?.loginsPerSecond ?? Number.NaN;
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
          toBareLoop: round(headline / bare.loginsPerSecond, 2),
          toCryptoBound: round(headline / cryptoAllCores, 3),
        },
        phases,
      };
      console.log(formatTable(result));
      const file = writeResult(fileURLToPath(new URL('../../bench/results/', import.meta.url)), result);
      log(`\nwritten to ${file}`);
      if (phases.some((phase) => phase.loginsCompleted === 0)) process.exitCode = 1;
    } finally {
      population.dispose();
    }
  } finally {
    await prepared.dispose();
  }
}

/** Starts `count` server processes on the run's data, warms them up, runs the load for the set time, stops them. */
async function timedPhase(
  prepared: BenchBackends,
  count: number,
  plan: Omit<LoadPlan, 'targets'>,
  options: BenchOptions,
): Promise<TimedPhase> {
  const nodes = await startServerNodes(prepared.settings, count, {
    cpuProfileDir: options.cpuProfile
      ? fileURLToPath(new URL('../../bench/results/profiles/', import.meta.url))
      : undefined,
  });
  try {
    const targets = nodes.map((node) => ({ name: node.name, baseUrl: node.baseUrl, usage: node.usage }));
    await warmUp({ ...plan, targets });
    const approvalsBefore = await countApprovals(prepared.databaseUrl);
    const outcome = await runLoad({ ...plan, targets }, options.durationSeconds);
    const approvalsAfter = await countApprovals(prepared.databaseUrl);
    const completed = outcome.timings.length;
    const perLogin = (seconds: number) => (completed === 0 ? Number.NaN : round(seconds / completed, 6));
    return {
      nodes: count,
      elapsedSeconds: round(outcome.elapsedSeconds),
      loginsCompleted: completed,
      loginsPerSecond: round(completed / outcome.elapsedSeconds, 2),
      errors: outcome.errors.total,
      errorKinds: Object.fromEntries(outcome.errors.entries()),
      ...(approvalsBefore === undefined || approvalsAfter === undefined
        ? {}
        : { approvalsRecorded: approvalsAfter - approvalsBefore }),
      latencyMs: {
        initiate: summarize(outcome.timings.map((t) => t.initiateMs)),
        otpReady: summarize(outcome.timings.map((t) => t.otpReadyMs)),
        verify: summarize(outcome.timings.map((t) => t.verifyMs)),
        approved: summarize(outcome.timings.map((t) => t.approvedMs)),
        endToEnd: summarize(outcome.timings.map((t) => t.endToEndMs)),
      },
      serverCpuSecondsPerLogin: perLogin(outcome.nodes.reduce((sum, node) => sum + node.cpuSeconds, 0)),
      clientCpuSecondsPerLogin: perLogin(outcome.cpuSeconds),
      servers: outcome.nodes.map((node) => ({
        ...node,
        cpuSeconds: round(node.cpuSeconds),
        coresBusy: round(node.coresBusy, 2),
        rssMiB: { atEnd: round(node.rssMiB.atEnd, 1), peak: round(node.rssMiB.peak, 1) },
      })),
      clientRssMiB: { atEnd: round(outcome.rssMiB.atEnd, 1), peak: round(outcome.rssMiB.peak, 1) },
    };
  } finally {
    await Promise.all(nodes.map((node) => node.close()));
  }
}

/** `session.approved` audit rows so far (PostgreSQL); `undefined` on PGlite, whose folder a server process holds. */
async function countApprovals(databaseUrl: string | undefined): Promise<number | undefined> {
  if (!databaseUrl) return undefined;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(
      "SELECT count(*) AS count FROM audit_events WHERE type = 'session.approved'",
    );
    return Number(rows[0]?.count ?? Number.NaN);
  } finally {
    await client.end();
  }
}

runBenchmark(main, USAGE);
