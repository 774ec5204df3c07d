import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { measureCryptoCeiling, runBareLoop, type BareLoopOutcome, type CryptoCeiling } from './support/ceilings.js';
import { runInterleaved } from './support/interleaved.js';
import { runLoad, runPacedLoad, warmUp, type LoadOutcome, type LoadPlan } from './support/load.js';
import { readOptions, runBenchmark, USAGE, type BenchOptions } from './support/options.js';
import { populate, type Population } from './support/population.js';
import {
  formatTable,
  machineInfo,
  writeResult,
  type LoginBenchResult,
  type PacedPhase,
  type TimedPhase,
} from './support/report.js';
import { startServerNodes } from './support/server-nodes.js';
import {
  BENCH_ADMIN_KEY,
  prepareBackends,
  startInProcessServer,
  withOwnStorePrefix,
  type BenchBackends,
  type InProcessServer,
} from './support/server.js';
import { round, summarize } from './support/stats.js';

/**
 * Login throughput (spec §6): N enrolled phones, C workers each running whole logins (initiate → browser socket
 * `otp_ready` → signed verify → `approved`, hash checked) back to back against the real IdP on loopback. Setup and
 * the bare loop use a server in this process; each timed phase runs the production entry point in 1…n processes of
 * their own, so server CPU is measured apart from the clients'. With PostgreSQL and Redis the bare loop and the first
 * timed phase alternate in slices (`--slices`). See bench/README.md for what each number means.
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
    // The bare loop's server stays up through the interleaved HTTP slices: with a store prefix of its own it does not
    // hear the server processes' session and push events, nor they its, as when the two run one after the other.
    const inProcess = await startInProcessServer(withOwnStorePrefix(prepared.settings, 'bare'));
    const interleaved = options.slices > 1;
    let inProcessClosed: Promise<void> | undefined;
    const closeInProcess = () => (inProcessClosed ??= inProcess.close());
    let population: Population | undefined;
    let crypto: CryptoCeiling;
    let bare: BareLoopOutcome | undefined;
    let setupSeconds = 0;
    const phases: TimedPhase[] = [];
    let halfLoad: PacedPhase | undefined;
    try {
      log(`setting up ${options.devices} phones (issue, enroll, trust)…`);
      population = await populate(inProcess.baseUrl, BENCH_ADMIN_KEY, options.devices, (done) => {
        if (done % 10 === 0 || done === options.devices) log(`  ${done}/${options.devices} phones ready`);
      });
      const plan = { ...population, concurrency: options.concurrency };
      await warmUp({ ...plan, targets: [{ name: 'in-process', baseUrl: inProcess.baseUrl }] });
      log('ceiling 1: crypto primitives on one core…');
      crypto = await measureCryptoCeiling();
      setupSeconds = (performance.now() - setupStarted) / 1000;
      if (!interleaved) {
        log(`ceiling 2: the bare loop, ${options.concurrency} workers for ${options.durationSeconds} s…`);
        bare = await runBareLoop(inProcess.app, plan, options.durationSeconds);
        // PGlite admits one process at a time: the server processes open the data after this one has closed it.
        await closeInProcess();
      }
      for (const [index, count] of options.nodes.entries()) {
        const withBare = interleaved && index === 0;
        log(
          `timed phase: ${count} server process(es), ${options.concurrency} workers for ${options.durationSeconds} s` +
            (withBare ? `, alternating with the bare loop (ceiling 2) in ${options.slices} slices each…` : '…'),
        );
        const bareLoop = withBare ? { server: inProcess, close: closeInProcess } : undefined;
        const measured = await timedPhase(prepared, count, plan, options, bareLoop);
        phases.push(measured.phase);
        halfLoad ??= measured.halfLoad;
        bare ??= measured.bare;
      }
    } catch (error) {
      population?.dispose();
      throw error;
    } finally {
      await closeInProcess();
    }
    if (!bare) throw new Error('the bare loop did not run');
    try {
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
        ...(halfLoad ? { halfLoad } : {}),
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

/**
 * Starts `count` server processes on the run's data, warms them up, runs the load for the set time, stops them. With
 * `bareLoop`, the bare loop runs on its server in alternating slices with the load (`--slices`), that server is closed
 * after them, and the bare loop's outcome is returned too; the approvals are then counted around the load's slices
 * only. With one process, the same server then takes logins at half the rate it reached, started at a steady pace, for
 * as long again (`halfLoad`).
 */
async function timedPhase(
  prepared: BenchBackends,
  count: number,
  plan: Omit<LoadPlan, 'targets'>,
  options: BenchOptions,
  bareLoop?: { server: InProcessServer; close: () => Promise<void> },
): Promise<{ phase: TimedPhase; bare?: BareLoopOutcome; halfLoad?: PacedPhase }> {
  const nodes = await startServerNodes(prepared.settings, count, {
    cpuProfileDir: options.cpuProfile
      ? fileURLToPath(new URL('../../bench/results/profiles/', import.meta.url))
      : undefined,
  });
  try {
    const targets = nodes.map((node) => ({ name: node.name, baseUrl: node.baseUrl, usage: node.usage }));
    await warmUp({ ...plan, targets });
    let approvals: number | undefined = 0;
    const load = async (seconds: number): Promise<LoadOutcome> => {
      const before = await countApprovals(prepared.databaseUrl);
      const outcome = await runLoad({ ...plan, targets }, seconds);
      const after = await countApprovals(prepared.databaseUrl);
      approvals =
        before === undefined || after === undefined || approvals === undefined ? undefined : approvals + after - before;
      return outcome;
    };
    let measured: { phase: TimedPhase; bare?: BareLoopOutcome };
    if (bareLoop) {
      const { bare, http } = await runInterleaved(
        options.slices,
        options.durationSeconds / options.slices,
        (seconds) => runBareLoop(bareLoop.server.app, plan, seconds),
        load,
      );
      // Done with its slices, it is closed: it takes nothing more from the clients whose latencies count next.
      await bareLoop.close();
      measured = { phase: phaseOf(count, http, approvals), bare };
    } else {
      measured = { phase: phaseOf(count, await load(options.durationSeconds), approvals) };
    }
    if (count !== 1 || !(measured.phase.loginsPerSecond > 0)) return measured;
    const offered = measured.phase.loginsPerSecond / 2;
    const paced = await runPacedLoad({ ...plan, targets }, offered, options.durationSeconds);
    const halfLoad: PacedPhase = { ...phaseOf(count, paced, undefined), offeredLoginsPerSecond: round(offered, 2) };
    return { ...measured, halfLoad };
  } finally {
    await Promise.all(nodes.map((node) => node.close()));
  }
}

/** The report of a timed phase from its (possibly merged) load outcome. */
function phaseOf(count: number, outcome: LoadOutcome, approvalsRecorded: number | undefined): TimedPhase {
  const completed = outcome.timings.length;
  const perLogin = (seconds: number) => (completed === 0 ? Number.NaN : round(seconds / completed, 6));
  return {
    nodes: count,
    elapsedSeconds: round(outcome.elapsedSeconds),
    loginsCompleted: completed,
    loginsPerSecond: round(completed / outcome.elapsedSeconds, 2),
    errors: outcome.errors.total,
    errorKinds: Object.fromEntries(outcome.errors.entries()),
    ...(approvalsRecorded === undefined ? {} : { approvalsRecorded }),
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
